namespace Appliance.Bridge.Sqlite;

/// <summary>A SQLite call failed: names the SQL (or the operation), the extended result code and SQLite's message.</summary>
public sealed class SqliteException : Exception
{
    /// <summary>Creates an exception for a failed call.</summary>
    public SqliteException(string message, int resultCode, Exception? innerException = null) : base(message, innerException) =>
        ResultCode = resultCode;

    /// <summary>Creates an exception without a result code.</summary>
    public SqliteException() : this("SQLite call failed", 1)
    {
    }

    /// <summary>Creates an exception without a result code.</summary>
    public SqliteException(string message) : this(message, 1)
    {
    }

    /// <summary>Creates an exception without a result code.</summary>
    public SqliteException(string message, Exception innerException) : this(message, 1, innerException)
    {
    }

    /// <summary>The extended result code (sqlite3_extended_errcode).</summary>
    public int ResultCode { get; }

    /// <summary>The primary result code: the low byte of <see cref="ResultCode"/>.</summary>
    public int PrimaryCode => ResultCode & 0xFF;
}

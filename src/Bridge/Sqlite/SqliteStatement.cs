using System.Runtime.InteropServices;
using System.Text;
using Appliance.Bridge.Interop.Sqlite;

namespace Appliance.Bridge.Sqlite;

/// <summary>A prepared statement: bind parameters (1-based), step through rows, read columns (0-based), reset to reuse.</summary>
public sealed class SqliteStatement : IDisposable
{
    private const int StackTextLimit = 512;
    private readonly SqliteConnection _connection;
    private readonly SqliteStatementHandle _handle;

    internal SqliteStatement(SqliteConnection connection, SqliteStatementHandle handle, string sql)
    {
        _connection = connection;
        _handle = handle;
        Sql = sql;
    }

    /// <summary>The statement's SQL, for error messages.</summary>
    public string Sql { get; }

    /// <summary>Binds an integer.</summary>
    public void Bind(int index, long value) => Check(SqliteNative.BindInt64(_handle, index, value));

    /// <summary>Binds text (UTF-8), or NULL when <paramref name="value"/> is null.</summary>
    public unsafe void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(SqliteNative.BindNull(_handle, index));
            return;
        }
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> buffer = max <= StackTextLimit ? stackalloc byte[max] : new byte[max];
        int length = Encoding.UTF8.GetBytes(value, buffer);
        fixed (byte* p = buffer)
        {
            Check(SqliteNative.BindText(_handle, index, p, length, SqliteResult.Transient));
        }
    }

    /// <summary>Binds a blob (copied by SQLite).</summary>
    public unsafe void Bind(int index, ReadOnlySpan<byte> value)
    {
        // A null pointer would bind NULL; an empty blob must stay an empty blob.
        byte empty = 0;
        fixed (byte* p = value)
        {
            Check(SqliteNative.BindBlob(_handle, index, value.IsEmpty ? &empty : p, value.Length, SqliteResult.Transient));
        }
    }

    /// <summary>Advances to the next row: true when there is one, false when the statement is done.</summary>
    public bool Step()
    {
        int rc = SqliteNative.Step(_handle);
        if (rc == SqliteResult.Row) return true;
        if (rc == SqliteResult.Done) return false;
        throw _connection.Error(rc, Sql);
    }

    /// <summary>Runs the statement to completion and resets it; returns the rows changed.</summary>
    public long Execute()
    {
        try
        {
            while (Step())
            {
            }
            return _connection.Changes;
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Makes the statement ready to run again; bindings stay. (reset repeats the last step's error, which
    /// <see cref="Step"/> has already reported.)</summary>
    public void Reset() => SqliteNative.Reset(_handle);

    /// <summary>True when the column of the current row is NULL.</summary>
    public bool IsNull(int column) => SqliteNative.ColumnType(_handle, column) == SqliteResult.TypeNull;

    /// <summary>The column as an integer.</summary>
    public long GetInt64(int column) => SqliteNative.ColumnInt64(_handle, column);

    /// <summary>The column as text.</summary>
    public unsafe string GetString(int column)
    {
        nint p = SqliteNative.ColumnText(_handle, column);
        int length = SqliteNative.ColumnBytes(_handle, column);
        return p == nint.Zero ? string.Empty : Encoding.UTF8.GetString((byte*)p, length);
    }

    /// <summary>The column as a new byte array (empty for NULL).</summary>
    public unsafe byte[] GetBlob(int column)
    {
        nint p = SqliteNative.ColumnBlob(_handle, column);
        int length = SqliteNative.ColumnBytes(_handle, column);
        return p == nint.Zero || length == 0 ? [] : new ReadOnlySpan<byte>((byte*)p, length).ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void Check(int rc) => _connection.Check(rc, Sql);
}

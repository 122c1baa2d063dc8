using System.Runtime.InteropServices;
using Appliance.Bridge.Interop.Sqlite;

namespace Appliance.Bridge.Sqlite;

/// <summary>One connection to a SQLite database file through the system library; every failure becomes a
/// <see cref="SqliteException"/> naming the SQL, the result code and SQLite's message.</summary>
/// <remarks>Not thread-safe by contract: callers serialize use of one connection (the journal holds a lock per connection).</remarks>
public sealed class SqliteConnection : IDisposable
{
    private readonly SqliteDatabaseHandle _db;

    private SqliteConnection(SqliteDatabaseHandle db, string path)
    {
        _db = db;
        Path = path;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Rows changed by the last INSERT, UPDATE or DELETE.</summary>
    public long Changes => SqliteNative.Changes64(_db);

    /// <summary>The rowid of the last successful INSERT on this connection.</summary>
    public long LastInsertRowId => SqliteNative.LastInsertRowId(_db);

    /// <summary>The SQLite library version, for example <c>3.40.1</c>.</summary>
    public static string LibraryVersion => WithLibrary(() => Marshal.PtrToStringUTF8(SqliteNative.LibVersion()) ?? "?");

    /// <summary>Opens (and with <paramref name="create"/> creates) a database file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="readOnly">Open read-only (a reader in another process than the writer).</param>
    /// <param name="create">Create the file when missing (ignored when read-only).</param>
    public static SqliteConnection Open(string path, bool readOnly = false, bool create = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int flags = SqliteResult.OpenFullMutex | (readOnly
            ? SqliteResult.OpenReadOnly
            : SqliteResult.OpenReadWrite | (create ? SqliteResult.OpenCreate : 0));
        var (rc, db) = WithLibrary(() => (SqliteNative.OpenV2(path, out var handle, flags, nint.Zero), handle));
        if (rc != SqliteResult.Ok)
        {
            string message = db.IsInvalid ? ErrorString(rc) : Marshal.PtrToStringUTF8(SqliteNative.ErrorMessage(db)) ?? ErrorString(rc);
            db.Dispose();
            throw new SqliteException($"Cannot open SQLite database '{path}': {message} (code {rc})", rc);
        }
        SqliteNative.ExtendedResultCodes(db, 1);
        return new SqliteConnection(db, path);
    }

    /// <summary>Runs one or more statements that return no rows.</summary>
    public void Execute(string sql)
    {
        ArgumentException.ThrowIfNullOrEmpty(sql);
        Check(SqliteNative.Exec(_db, sql, nint.Zero, nint.Zero, nint.Zero), sql);
    }

    /// <summary>Runs a query and returns the first column of its first row, or <paramref name="ifNone"/>.</summary>
    public long ExecuteScalar(string sql, long ifNone = 0)
    {
        using var statement = Prepare(sql);
        return statement.Step() && !statement.IsNull(0) ? statement.GetInt64(0) : ifNone;
    }

    /// <summary>Compiles one statement.</summary>
    public unsafe SqliteStatement Prepare(string sql)
    {
        ArgumentException.ThrowIfNullOrEmpty(sql);
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(sql);
        fixed (byte* p = utf8)
        {
            int rc = SqliteNative.PrepareV2(_db, p, utf8.Length, out var handle, out _);
            if (rc != SqliteResult.Ok)
            {
                handle.Dispose();
                throw Error(rc, sql);
            }
            return new SqliteStatement(this, handle, sql);
        }
    }

    /// <summary>How long a statement waits for another connection's lock before failing with SQLITE_BUSY.</summary>
    public void SetBusyTimeout(TimeSpan timeout) =>
        Check(SqliteNative.BusyTimeout(_db, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue)), "sqlite3_busy_timeout");

    /// <inheritdoc />
    public void Dispose() => _db.Dispose();

    internal void Check(int rc, string sql)
    {
        if (rc != SqliteResult.Ok && rc != SqliteResult.Row && rc != SqliteResult.Done) throw Error(rc, sql);
    }

    internal SqliteException Error(int rc, string sql)
    {
        int extended = SqliteNative.ExtendedErrorCode(_db);
        string message = Marshal.PtrToStringUTF8(SqliteNative.ErrorMessage(_db)) ?? ErrorString(rc);
        return new SqliteException($"SQLite error {extended} ({ErrorString(rc)}) in '{sql}' on '{Path}': {message}", extended == 0 ? rc : extended);
    }

    private static string ErrorString(int rc) => Marshal.PtrToStringUTF8(SqliteNative.ErrorString(rc)) ?? $"code {rc}";

    // The first call into the library is where a missing libsqlite3 shows up; say which package provides it.
    private static T WithLibrary<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (DllNotFoundException e)
        {
            throw new SqliteException(
                $"The SQLite library {SqliteNative.Library} was not found; install it with `apt-get install libsqlite3-0`.", 1, e);
        }
    }
}

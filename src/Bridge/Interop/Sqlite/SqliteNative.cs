using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Sqlite;

/// <summary>The SQLite C API calls the journal uses, bound to Debian's system library (libsqlite3-0).
/// One thin method per native call; everything above this folder sees only SafeHandles and managed types.</summary>
internal static partial class SqliteNative
{
    internal const string Library = "libsqlite3.so.0";

    [LibraryImport(Library, EntryPoint = "sqlite3_open_v2", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenV2(string filename, out SqliteDatabaseHandle db, int flags, nint vfs);

    [LibraryImport(Library, EntryPoint = "sqlite3_close_v2")]
    internal static partial int CloseV2(nint db);

    [LibraryImport(Library, EntryPoint = "sqlite3_prepare_v2")]
    internal static unsafe partial int PrepareV2(SqliteDatabaseHandle db, byte* sql, int byteCount, out SqliteStatementHandle statement, out nint tail);

    [LibraryImport(Library, EntryPoint = "sqlite3_finalize")]
    internal static partial int Finalize(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    internal static partial int Step(SqliteStatementHandle statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    internal static partial int Reset(SqliteStatementHandle statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    internal static partial int BindInt64(SqliteStatementHandle statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    internal static partial int BindNull(SqliteStatementHandle statement, int index);

    /// <summary>Binds UTF-8 text; <paramref name="destructor"/> -1 (SQLITE_TRANSIENT) makes SQLite copy it.</summary>
    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    internal static unsafe partial int BindText(SqliteStatementHandle statement, int index, byte* text, int byteCount, nint destructor);

    /// <summary>Binds a blob; <paramref name="destructor"/> -1 (SQLITE_TRANSIENT) makes SQLite copy it.</summary>
    [LibraryImport(Library, EntryPoint = "sqlite3_bind_blob")]
    internal static unsafe partial int BindBlob(SqliteStatementHandle statement, int index, byte* blob, int byteCount, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_count")]
    internal static partial int ColumnCount(SqliteStatementHandle statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    internal static partial int ColumnType(SqliteStatementHandle statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    internal static partial long ColumnInt64(SqliteStatementHandle statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_text")]
    internal static partial nint ColumnText(SqliteStatementHandle statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob")]
    internal static partial nint ColumnBlob(SqliteStatementHandle statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    internal static partial int ColumnBytes(SqliteStatementHandle statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_exec", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Exec(SqliteDatabaseHandle db, string sql, nint callback, nint argument, nint errorMessage);

    [LibraryImport(Library, EntryPoint = "sqlite3_errmsg")]
    internal static partial nint ErrorMessage(SqliteDatabaseHandle db);

    [LibraryImport(Library, EntryPoint = "sqlite3_errstr")]
    internal static partial nint ErrorString(int code);

    [LibraryImport(Library, EntryPoint = "sqlite3_extended_errcode")]
    internal static partial int ExtendedErrorCode(SqliteDatabaseHandle db);

    [LibraryImport(Library, EntryPoint = "sqlite3_extended_result_codes")]
    internal static partial int ExtendedResultCodes(SqliteDatabaseHandle db, int onOff);

    [LibraryImport(Library, EntryPoint = "sqlite3_changes64")]
    internal static partial long Changes64(SqliteDatabaseHandle db);

    [LibraryImport(Library, EntryPoint = "sqlite3_last_insert_rowid")]
    internal static partial long LastInsertRowId(SqliteDatabaseHandle db);

    [LibraryImport(Library, EntryPoint = "sqlite3_busy_timeout")]
    internal static partial int BusyTimeout(SqliteDatabaseHandle db, int milliseconds);

    [LibraryImport(Library, EntryPoint = "sqlite3_libversion")]
    internal static partial nint LibVersion();
}

namespace Appliance.Bridge.Interop.Sqlite;

/// <summary>The SQLite result codes and open flags the journal inspects (values from sqlite3.h).</summary>
internal static class SqliteResult
{
    internal const int Ok = 0;
    internal const int Busy = 5;
    internal const int Locked = 6;
    internal const int IoErr = 10;
    internal const int Corrupt = 11;
    internal const int Full = 13;
    internal const int Row = 100;
    internal const int Done = 101;

    internal const int TypeNull = 5;

    internal const int OpenReadOnly = 0x00000001;
    internal const int OpenReadWrite = 0x00000002;
    internal const int OpenCreate = 0x00000004;
    internal const int OpenNoMutex = 0x00008000;
    internal const int OpenFullMutex = 0x00010000;

    /// <summary>SQLITE_TRANSIENT: SQLite copies bound text and blobs before the bind call returns.</summary>
    internal const nint Transient = -1;
}

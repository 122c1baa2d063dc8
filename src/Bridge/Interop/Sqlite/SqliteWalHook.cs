using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Sqlite;

/// <summary>Routes <c>sqlite3_wal_hook</c> callbacks to a managed observer: SQLite calls <see cref="OnCommit"/> on the
/// committing thread, after the commit, with the number of frames now in the WAL.</summary>
internal sealed class SqliteWalHook : IDisposable
{
    private readonly SqliteDatabaseHandle _db;
    private readonly Action<int> _observer;
    private GCHandle _self;

    private SqliteWalHook(SqliteDatabaseHandle db, Action<int> observer)
    {
        _db = db;
        _observer = observer;
        _self = GCHandle.Alloc(this);
    }

    /// <summary>Installs the hook (and so turns SQLite's automatic checkpoint off) until disposed.</summary>
    internal static unsafe SqliteWalHook Install(SqliteDatabaseHandle db, Action<int> observer)
    {
        var hook = new SqliteWalHook(db, observer);
        SqliteNative.WalHook(db, &OnCommit, GCHandle.ToIntPtr(hook._self));
        return hook;
    }

    /// <summary>Removes the hook; call before the connection closes (or after: the handle keeps the library call safe).</summary>
    public unsafe void Dispose()
    {
        if (!_self.IsAllocated) return;
        if (!_db.IsClosed) SqliteNative.WalHook(_db, null, nint.Zero);
        _self.Free();
    }

    // An exception must not unwind into SQLite: the observer only stores a number and signals, and anything else is dropped.
    [UnmanagedCallersOnly]
    private static int OnCommit(nint argument, nint db, nint schema, int frames)
    {
        try
        {
            if (GCHandle.FromIntPtr(argument).Target is SqliteWalHook hook) hook._observer(frames);
        }
        catch (Exception)
        {
            // Nothing can be reported from inside SQLite's commit; the checkpointer's timer still runs.
        }
        return SqliteResult.Ok;
    }
}

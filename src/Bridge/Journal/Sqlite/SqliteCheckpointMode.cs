using Appliance.Bridge.Interop.Sqlite;

namespace Appliance.Bridge.Journal.Sqlite;

/// <summary>The modes of <c>sqlite3_wal_checkpoint_v2</c> the journal uses.</summary>
internal enum SqliteCheckpointMode
{
    /// <summary>Copies what it can without waiting for any lock; never blocks the writer.</summary>
    Passive = SqliteResult.CheckpointPassive,

    /// <summary>Copies everything, then waits (busy timeout) until readers let the next writer start the WAL from its beginning.</summary>
    Restart = SqliteResult.CheckpointRestart,

    /// <summary>As <see cref="Restart"/>, then truncates the WAL file to zero bytes.</summary>
    Truncate = SqliteResult.CheckpointTruncate,
}

/// <summary>What one checkpoint found: frames in the WAL, frames now copied into the database, and whether a lock was busy.</summary>
internal readonly record struct SqliteCheckpointResult(int LogFrames, int CheckpointedFrames, bool Busy)
{
    /// <summary>Every frame of the WAL is in the database file, so the next commit can start the WAL from its beginning.</summary>
    internal bool Complete => !Busy && CheckpointedFrames >= LogFrames;
}

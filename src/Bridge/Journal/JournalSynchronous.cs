namespace Appliance.Bridge.Journal;

/// <summary>SQLite's <c>PRAGMA synchronous</c> in WAL mode: what a power cut can lose (see docs/journal.md).</summary>
public enum JournalSynchronous
{
    /// <summary>fsync a commit holding a critical event at once, the others within <see cref="JournalOptions.SyncMaxDelay"/>: a power cut may lose the ordinary commits since the last sync, never corrupts;
    /// a process crash (kill -9) loses nothing committed.</summary>
    Normal,
    /// <summary>fsync the write-ahead log at every commit: a power cut loses nothing committed, at the cost of one fsync per batch.</summary>
    Full,
}

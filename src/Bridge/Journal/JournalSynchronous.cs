namespace Appliance.Bridge.Journal;

/// <summary>SQLite's <c>PRAGMA synchronous</c> in WAL mode: what a power cut can lose (see docs/journal.md).</summary>
public enum JournalSynchronous
{
    /// <summary>fsync only at checkpoints: a power cut may lose the last commits since then, never corrupts;
    /// a process crash (kill -9) loses nothing committed.</summary>
    Normal,
    /// <summary>fsync the write-ahead log at every commit: a power cut loses nothing committed, at the cost of one fsync per batch.</summary>
    Full,
}

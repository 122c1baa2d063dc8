namespace Appliance.Bridge.Journal;

/// <summary>Settings of the event journal (configuration section <c>Journal</c>).</summary>
public sealed class JournalOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Journal";

    /// <summary>The SQLite database file; its folder must exist. The <c>-wal</c> and <c>-shm</c> files live beside it.</summary>
    public string Path { get; set; } = "/var/lib/appliance/journal.db";

    /// <summary>Most events committed in one transaction. A batch is what is queued, so this matters only when the
    /// writer is behind; then fewer, larger commits keep up (docs/journal.md).</summary>
    public int BatchMaxEvents { get; set; } = 4096;

    /// <summary>Longest an ordinary event waits for companions before its batch commits (critical events never wait).
    /// Zero, the default, commits what is queued at once: batches still grow under load, from the events that queue up
    /// while the previous commit runs, and an event that arrives alone is not held back for companions that are not coming.</summary>
    public TimeSpan BatchMaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Longest a commit of ordinary events stays unsynced (a power cut can take it meanwhile; a process crash
    /// cannot). Commits holding a critical event are synced at once. Zero syncs every commit, which writes more bytes
    /// per event: a sync writes the WAL's last partly filled block again.</summary>
    public TimeSpan SyncMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The page size of a journal this build creates (a power of two from 512 to 65536); an existing journal
    /// keeps the page size it was created with. A commit rewrites whole pages: smaller pages write fewer bytes per event
    /// at small batches, and cost more CPU per event (docs/benchmarks.md).</summary>
    public int NewJournalPageSize { get; set; } = 1024;

    /// <summary>The write-ahead log is copied into the database (SQLite's checkpoint) once it holds this many bytes.
    /// Larger means fewer bytes written per event (a page rewritten by many commits is copied once) but longer copies
    /// that hold up synced commits (docs/benchmarks.md).</summary>
    public long CheckpointWalBytes { get; set; } = 1L << 20;

    /// <summary>Rows received longer ago than this are pruned; <see cref="TimeSpan.Zero"/> keeps rows of any age.</summary>
    public TimeSpan RetentionMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The oldest rows are pruned while the database's used pages exceed this many bytes; 0 means no size limit.</summary>
    public long RetentionMaxBytes { get; set; } = 1L << 30;

    /// <summary>How often retention runs.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The problems with these settings, each naming its key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path)) errors.Add($"{SectionName}:Path must name the database file.");
        else if (Path.EndsWith('/')) errors.Add($"{SectionName}:Path '{Path}' names a folder; give a file such as '{Path}journal.db'.");
        if (BatchMaxEvents is < 1 or > 100_000)
            errors.Add($"{SectionName}:BatchMaxEvents must be between 1 and 100000, got {BatchMaxEvents}.");
        if (BatchMaxDelay < TimeSpan.Zero || BatchMaxDelay > TimeSpan.FromSeconds(1))
            errors.Add($"{SectionName}:BatchMaxDelay must be between 0 and 1 s, got {BatchMaxDelay}.");
        if (SyncMaxDelay < TimeSpan.Zero || SyncMaxDelay > TimeSpan.FromSeconds(60))
            errors.Add($"{SectionName}:SyncMaxDelay must be between 0 and 60 s, got {SyncMaxDelay}.");
        if (NewJournalPageSize is < 512 or > 65536 || !int.IsPow2(NewJournalPageSize))
            errors.Add($"{SectionName}:NewJournalPageSize must be a power of two from 512 to 65536, got {NewJournalPageSize}.");
        if (CheckpointWalBytes is < 64 * 1024 or > 1L << 30)
            errors.Add($"{SectionName}:CheckpointWalBytes must be between 65536 and 1073741824, got {CheckpointWalBytes}.");
        if (RetentionMaxAge < TimeSpan.Zero)
            errors.Add($"{SectionName}:RetentionMaxAge must not be negative, got {RetentionMaxAge}.");
        if (RetentionMaxBytes is < 0 or (> 0 and < 64 * 1024))
            errors.Add($"{SectionName}:RetentionMaxBytes must be 0 (no limit) or at least 65536, got {RetentionMaxBytes}.");
        if (RetentionInterval < TimeSpan.FromSeconds(1))
            errors.Add($"{SectionName}:RetentionInterval must be at least 1 s, got {RetentionInterval}.");
        return errors;
    }
}

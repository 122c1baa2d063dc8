namespace Appliance.Bridge.Journal;

/// <summary>Settings of the event journal (configuration section <c>Journal</c>).</summary>
public sealed class JournalOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Journal";

    /// <summary>The SQLite database file; its folder must exist. The <c>-wal</c> and <c>-shm</c> files live beside it.</summary>
    public string Path { get; set; } = "/var/lib/appliance/journal.db";

    /// <summary>Most events committed in one transaction.</summary>
    public int BatchMaxEvents { get; set; } = 512;

    /// <summary>Longest an ordinary event waits for companions before its batch commits (critical events never wait).
    /// Zero, the default, commits what is queued at once: batches still grow under load, from the events that queue up
    /// while the previous commit runs, and an event that arrives alone is not held back for companions that are not coming.</summary>
    public TimeSpan BatchMaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Durability of each commit against power loss. <see cref="JournalSynchronous.Normal"/> (the default since
    /// session 6): ordinary commits reach the disk with the next checkpoint (at most about <see cref="CheckpointMaxDelay"/>
    /// later), critical events at once through the critical log (<see cref="CriticalLogBytes"/>) and a flushed commit
    /// (<see cref="FlushCriticalBatches"/>). <see cref="JournalSynchronous.Full"/> fsyncs every commit: nothing committed
    /// is lost to a power cut, but the flushes slow every critical event's durability under a flood (p99 7 to 19 ms
    /// against 3 to 4 ms at 100,000 events/s here; docs/journal.md).</summary>
    public JournalSynchronous Synchronous { get; set; } = JournalSynchronous.Normal;

    /// <summary>The page size of a journal this build creates (a power of two from 512 to 65536); an existing journal
    /// keeps the page size it was created with. A commit rewrites whole pages, so smaller pages write fewer bytes per
    /// event at small batches (batch 100: one VM 351 with 1024, 418 with 2048; 8 VMs x 8 names 597 against 790). 1024
    /// since session 8: it used to lengthen a critical event's commit (SQLite synced it inside COMMIT), which no
    /// longer happens (<see cref="JournalWalSync"/>); 512 costs a third more CPU per event. See docs/journal.md.</summary>
    public int NewJournalPageSize { get; set; } = 1024;

    /// <summary>The checkpointer copies the write-ahead log into the database once this many bytes of WAL have been
    /// appended since the last checkpoint. Larger means fewer bytes written per event (a page rewritten by many commits
    /// is copied once) and a larger WAL; the WAL file is held to about four times this.</summary>
    public long CheckpointWalBytes { get; set; } = 4L << 20;

    /// <summary>The longest a commit waits for a checkpoint when the WAL grows slowly. With <see cref="JournalSynchronous.Normal"/>
    /// the checkpoint is what flushes the WAL to disk, so this bounds what a power cut can lose.</summary>
    public TimeSpan CheckpointMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>With <see cref="JournalSynchronous.Normal"/>, make each commit holding a critical event durable at once:
    /// an fsync of the write-ahead log right after the commit, on a thread of its own, so the writer does not wait for
    /// it and readers see the row before the disk has it (a few ms). Off: those fsyncs wait
    /// <see cref="CheckpointMaxDelay"/> and cover every critical commit of that window at once, the critical events
    /// being durable meanwhile through the critical log alone (<see cref="CriticalLogBytes"/>).</summary>
    public bool FlushCriticalBatches { get; set; } = true;

    /// <summary>Size of the critical log (<c>journal.db-critical</c> beside the journal), in bytes: each critical event
    /// is written there, synced, on a thread of its own, so it is durable without waiting for the ordinary events queued
    /// before it to be committed; every open puts back into the journal what a power cut took from it. 0 turns it off
    /// (critical events are then durable with their journal commit). See docs/journal.md.</summary>
    public long CriticalLogBytes { get; set; } = 1L << 20;

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
        if (!Enum.IsDefined(Synchronous))
            errors.Add($"{SectionName}:Synchronous must be Normal or Full, got {Synchronous}.");
        if (NewJournalPageSize is < 512 or > 65536 || !int.IsPow2(NewJournalPageSize))
            errors.Add($"{SectionName}:NewJournalPageSize must be a power of two from 512 to 65536, got {NewJournalPageSize}.");
        if (CheckpointWalBytes is < 64 * 1024 or > 1L << 30)
            errors.Add($"{SectionName}:CheckpointWalBytes must be between 65536 and 1073741824, got {CheckpointWalBytes}.");
        if (CheckpointMaxDelay < TimeSpan.FromMilliseconds(10) || CheckpointMaxDelay > TimeSpan.FromMinutes(10))
            errors.Add($"{SectionName}:CheckpointMaxDelay must be between 10 ms and 10 min, got {CheckpointMaxDelay}.");
        if (CriticalLogBytes != 0 && (CriticalLogBytes is < 64 * 1024 or > 256L << 20 || CriticalLogBytes % 512 != 0))
            errors.Add($"{SectionName}:CriticalLogBytes must be 0 (off) or a multiple of 512 from 65536 to 268435456, got {CriticalLogBytes}.");
        if (RetentionMaxAge < TimeSpan.Zero)
            errors.Add($"{SectionName}:RetentionMaxAge must not be negative, got {RetentionMaxAge}.");
        if (RetentionMaxBytes is < 0 or (> 0 and < 64 * 1024))
            errors.Add($"{SectionName}:RetentionMaxBytes must be 0 (no limit) or at least 65536, got {RetentionMaxBytes}.");
        if (RetentionInterval < TimeSpan.FromSeconds(1))
            errors.Add($"{SectionName}:RetentionInterval must be at least 1 s, got {RetentionInterval}.");
        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem when the settings are invalid.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("Invalid journal settings: " + string.Join(" ", errors));
    }
}

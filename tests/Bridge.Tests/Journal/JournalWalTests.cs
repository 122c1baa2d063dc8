using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>The write-ahead log: copied into the database beside the writer, bounded by SQLite's own checkpoint and,
/// when the checkpointer falls behind, by the writer's.</summary>
public sealed class JournalWalTests
{
    private const long Threshold = 64 * 1024;

    // Far below what the flood appends (thousands of events of ~150 bytes, index entries and page rewrites: several MB).
    private const long BoundedWal = 1 << 20;

    // 200 batches of 100, each past the threshold's share: the WAL would hold them all if nothing bounded it.
    private const int Flood = 20_000;

    private static JournalHarness FloodHarness(TimeSpan? batchMaxDelay = null) =>
        new(o => { o.CheckpointWalBytes = Threshold; o.BatchMaxEvents = 100; o.BatchMaxDelay = batchMaxDelay ?? o.BatchMaxDelay; });

    [Fact]
    public async Task The_wal_stays_bounded_under_a_flood()
    {
        await using var h = FloodHarness();
        await h.StartAsync();

        await h.PublishAsync(TestEvents.Series("RESUME", Flood));
        await h.WaitForSeqAsync(Flood);

        Assert.InRange(h.WalFileBytes(), 1, BoundedWal);
        Assert.True(h.Journal.UsedBytes > BoundedWal, $"the flood filled only {h.Journal.UsedBytes} bytes of database pages");
    }

    [Fact]
    public async Task The_wal_stays_bounded_under_a_flood_while_the_disk_is_slow_to_sync()
    {
        await using var h = FloodHarness();
        await h.StartAsync();
        using var pressure = TestSupport.Files.SyncPressure.Start(Path.GetDirectoryName(h.Options.Path)!);

        // The checkpointer's syncs wait behind the pressure, so it is checkpointing nearly all the time; SQLite's own
        // checkpoint then finds it busy, and only the writer's wait for a complete checkpoint lets the WAL start over.
        await h.PublishAsync(TestEvents.Series("RESUME", Flood));
        await h.WaitForSeqAsync(Flood);

        Assert.InRange(h.WalFileBytes(), 1, BoundedWal);
    }

    [Fact]
    public async Task A_reader_holding_an_old_snapshot_does_not_hold_the_writer_up_and_the_wal_is_bounded_once_it_ends()
    {
        await using var h = FloodHarness(batchMaxDelay: TimeSpan.Zero);
        await h.StartAsync();
        await h.PublishAsync([TestEvents.Named("RESUME")]);
        await h.WaitForSeqAsync(1);

        // A long query (an export, a slow script) pins the WAL: nothing after its snapshot can be checkpointed meanwhile.
        using (var reader = Appliance.Bridge.Sqlite.SqliteConnection.Open(h.Options.Path, readOnly: true, create: false))
        {
            reader.Execute("BEGIN");
            reader.ExecuteScalar("SELECT count(*) FROM events");
            // 200 batches past the WAL's bound; waiting for the reader at each (the busy timeout is 5 s) would take minutes.
            await h.PublishAsync(TestEvents.Series("RESUME", Flood));
            await h.WaitForSeqAsync(Flood + 1);
            reader.Execute("COMMIT");
        }

        await h.PublishAsync(TestEvents.Series("STOP", 2_000));
        await h.WaitForSeqAsync(Flood + 2_001);
        Assert.InRange(h.WalFileBytes(), 1, BoundedWal);
    }

    [Fact]
    public void SQLites_own_checkpoint_bounds_the_wal_at_twice_the_configured_bytes()
    {
        using var dir = new TestSupport.Files.TempDirectory();
        using var journal = EventJournal.Open(new JournalOptions { Path = dir.File("journal.db"), CheckpointWalBytes = Threshold });

        Assert.Equal(2 * Threshold / journal.PageSize, journal.Writer.ExecuteScalar("PRAGMA wal_autocheckpoint"));
    }

    [Fact]
    public async Task The_checkpointer_copies_the_wal_into_the_database_beside_the_writer_before_sqlite_would()
    {
        await using var h = new JournalHarness(o => { o.CheckpointWalBytes = Threshold; o.BatchMaxDelay = TimeSpan.Zero; });
        await h.StartAsync();
        long before = new FileInfo(h.Options.Path).Length;

        // About 45 KB of raw events: past half the threshold, far from the 128 KB of WAL SQLite's own checkpoint waits for.
        await h.PublishAsync(TestEvents.Series("RESUME", 400));
        await h.WaitForSeqAsync(400);

        await JournalHarness.EventuallyAsync(() => new FileInfo(h.Options.Path).Length > before + 16 * 1024, "the rows copied into journal.db");
        Assert.InRange(h.WalFileBytes(), 1, 2 * Threshold);
    }
}

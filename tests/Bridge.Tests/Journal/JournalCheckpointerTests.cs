using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalCheckpointerTests
{
    private const long Threshold = 64 * 1024;

    // Far below what the flood appends (thousands of events of ~150 bytes, index entries and page rewrites: several MB).
    private const long BoundedWal = 1 << 20;

    [Fact]
    public async Task The_checkpointer_keeps_the_wal_bounded_under_a_flood()
    {
        await using var h = new JournalHarness(o => { o.CheckpointWalBytes = Threshold; o.BatchMaxEvents = 100; });
        await h.StartAsync();
        await h.StartCheckpointerAsync();

        await h.PublishAsync(Enumerable.Range(0, 20_000).Select(i => TestEvents.Named("RESUME", n: i)));
        await h.WaitForSeqAsync(20_000);

        // The checkpointer runs on the thread pool: on a loaded machine it may get its first turn after the flood, and
        // skip it because the WAL is at the writer's limit (it then pauses on virtual time, which does not move here).
        await JournalHarness.EventuallyAsync(() => h.Checkpointer!.Checkpoints + h.Checkpointer.Skipped > 0, "the checkpointer's first turn");
        Assert.Equal(0, h.Checkpointer!.Failures);
        Assert.True(h.WalFileBytes() <= BoundedWal, $"WAL {h.WalFileBytes()} bytes; checkpoints {h.Checkpointer.Checkpoints}, skipped {h.Checkpointer.Skipped}, " +
            $"writer's {h.Journal.Writer.FallbackCheckpoints} (busy {h.Journal.Writer.BusyFallbackCheckpoints}, failed {h.Journal.Writer.FailedFallbackCheckpoints})");
        Assert.True(h.Journal.WalBytesAppended > 4 * BoundedWal, $"the flood appended only {h.Journal.WalBytesAppended} bytes to the WAL");
    }

    [Fact]
    public async Task Without_the_checkpointer_the_writer_keeps_the_wal_bounded_by_itself()
    {
        await using var h = new JournalHarness(o => { o.CheckpointWalBytes = Threshold; o.BatchMaxEvents = 100; });
        await h.StartAsync();

        await h.PublishAsync(Enumerable.Range(0, 20_000).Select(i => TestEvents.Named("RESUME", n: i)));
        await h.WaitForSeqAsync(20_000);

        Assert.True(h.Journal.Writer.FallbackCheckpoints > 0, "the writer never checkpointed");
        Assert.InRange(h.WalFileBytes(), 1, BoundedWal);
    }

    [Fact]
    public async Task The_checkpointer_waits_for_the_threshold_while_the_wal_is_small()
    {
        await using var h = await CommitOneEventAsync();

        // The checkpointer is waiting for CheckpointMaxDelay on virtual time, which has not moved.
        Assert.Equal(0, h.Checkpointer!.Checkpoints);
    }

    [Fact]
    public async Task A_slow_trickle_is_checkpointed_once_the_max_delay_has_passed()
    {
        await using var h = await CommitOneEventAsync();

        h.Time.Advance(h.Options.CheckpointMaxDelay);

        await JournalHarness.EventuallyAsync(() => h.Checkpointer!.Checkpoints == 1, "one checkpoint");
        Assert.True(h.Checkpointer!.LastWalFrames > 0);
    }

    [Fact]
    public async Task The_automatic_checkpoint_inside_commit_is_off()
    {
        await using var h = new JournalHarness();
        // sqlite3_wal_hook replaced the automatic checkpoint: SQLite reports it as 0 pages.
        Assert.Equal(0, h.Journal.Writer.ExecuteScalar("PRAGMA wal_autocheckpoint"));
    }

    // A writer that never waits for a batch window, a running checkpointer, one committed event, the checkpointer's delay armed.
    private static async Task<JournalHarness> CommitOneEventAsync()
    {
        var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await h.StartAsync();
        await h.StartCheckpointerAsync();
        await h.PublishAsync([TestEvents.Named("STOP")]);
        await h.WaitForSeqAsync(1);
        await JournalHarness.EventuallyAsync(() => h.Time.ArmedTimers > 0, "the checkpointer's delay to be armed");
        return h;
    }
}

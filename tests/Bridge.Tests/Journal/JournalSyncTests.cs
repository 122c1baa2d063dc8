namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalSyncTests
{
    [Fact]
    public async Task A_commit_of_ordinary_events_is_synced_once_SyncMaxDelay_has_passed()
    {
        await using var h = new JournalHarness(o => (o.BatchMaxDelay, o.SyncMaxDelay) = (TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        await h.StartAsync();
        await h.PublishAsync([TestEvents.Named("STOP")]);
        await h.WaitForSeqAsync(1);
        Assert.Equal(0, h.Writer.Counters.Syncs);

        await JournalHarness.EventuallyAsync(() => h.Time.ArmedTimers > 0, "the writer's wait for its sync");
        h.Time.Advance(TimeSpan.FromSeconds(1));

        await JournalHarness.EventuallyAsync(() => h.Writer.Counters.Syncs == 1, "the WAL's sync");
        Assert.Equal(1, h.Writer.Counters.Batches);
    }

    [Fact]
    public async Task A_commit_holding_a_critical_event_is_synced_at_once()
    {
        await using var h = new JournalHarness(o => (o.BatchMaxDelay, o.SyncMaxDelay) = (TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        await h.StartAsync();

        await h.PublishAsync([TestEvents.Critical()]);
        await h.WaitForSeqAsync(1);

        Assert.Equal(1, h.Writer.Counters.Syncs);
    }

    [Fact]
    public async Task With_SyncMaxDelay_zero_every_commit_is_synced()
    {
        await using var h = new JournalHarness(o => (o.BatchMaxDelay, o.SyncMaxDelay) = (TimeSpan.Zero, TimeSpan.Zero));
        await h.StartAsync();

        for (int i = 1; i <= 3; i++)
        {
            await h.PublishAsync([TestEvents.Named("STOP", n: i)]);
            await h.WaitForSeqAsync(i);
        }

        Assert.Equal(3, h.Writer.Counters.Batches);
        Assert.Equal(3, h.Writer.Counters.Syncs);
    }

    [Fact]
    public async Task A_writer_that_drains_at_stop_syncs_its_last_commits()
    {
        await using var h = new JournalHarness(o => (o.BatchMaxDelay, o.SyncMaxDelay) = (TimeSpan.Zero, TimeSpan.FromSeconds(30)));
        await h.StartAsync();
        await h.PublishAsync([TestEvents.Named("STOP")]);
        await h.WaitForSeqAsync(1);

        h.Hub.Complete();
        await h.Writer.Drained.WaitAsync(JournalHarness.Patience);

        Assert.Equal(1, h.Writer.Counters.Syncs);
    }

    [Fact]
    public void A_negative_or_too_long_SyncMaxDelay_is_rejected_naming_the_key()
    {
        Assert.Contains(new Bridge.Journal.JournalOptions { SyncMaxDelay = TimeSpan.FromSeconds(-1) }.Validate(),
            e => e.StartsWith("Journal:SyncMaxDelay", StringComparison.Ordinal));
        Assert.Contains(new Bridge.Journal.JournalOptions { SyncMaxDelay = TimeSpan.FromMinutes(2) }.Validate(),
            e => e.StartsWith("Journal:SyncMaxDelay", StringComparison.Ordinal));
    }
}

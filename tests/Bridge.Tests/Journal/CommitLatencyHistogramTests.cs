using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Tests.Journal;

public sealed class CommitLatencyHistogramTests
{
    [Fact]
    public async Task Every_journal_commit_is_counted_in_the_latency_histogram()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await h.StartAsync();

        await h.PublishAsync(TestEvents.Series("RESUME", 300));
        await h.WaitForSeqAsync(300);

        await JournalHarness.EventuallyAsync(() => h.Writer.Counters.CommitLatency.Snapshot().Cumulative[^1] == h.Writer.Counters.Batches,
            "one histogram count per committed transaction");
        // The harness's clock is virtual (it never moves by itself), so every commit took "zero": the first bucket.
        Assert.True(h.Writer.Counters.Batches >= 1);
        Assert.Equal(h.Writer.Counters.Batches, h.Writer.Counters.CommitLatency.Snapshot().Cumulative[0]);
    }
}

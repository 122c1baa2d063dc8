using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Tests.Journal;

public sealed class CommitLatencyHistogramTests
{
    [Fact]
    public async Task Every_journal_commit_is_counted_in_the_latency_histogram()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await h.StartAsync();

        await h.PublishAsync(Enumerable.Range(0, 300).Select(i => TestEvents.Named("RESUME", n: i)));
        await h.WaitForSeqAsync(300);

        await JournalHarness.EventuallyAsync(() => h.Writer.Counters.CommitLatency.Snapshot().Cumulative[^1] == h.Writer.Counters.Batches,
            "one histogram count per committed transaction");
        // The harness's clock is virtual (it never moves by itself), so every commit took "zero": the first bucket.
        Assert.True(h.Writer.Counters.Batches >= 1);
        Assert.Equal(h.Writer.Counters.Batches, h.Writer.Counters.CommitLatency.Snapshot().Cumulative[0]);
    }

    [Fact]
    public void A_duration_lands_in_the_first_bucket_whose_bound_it_does_not_exceed()
    {
        var histogram = new LatencyHistogram(0.001, 0.01, 0.1);

        histogram.Record(TimeSpan.FromMilliseconds(0.5));
        histogram.Record(TimeSpan.FromMilliseconds(1));
        histogram.Record(TimeSpan.FromMilliseconds(50));
        histogram.Record(TimeSpan.FromSeconds(3));

        var (cumulative, sum) = histogram.Snapshot();
        Assert.Equal([2L, 2L, 3L, 4L], cumulative);
        Assert.Equal(3.0515, sum, 6);
    }

    [Fact]
    public void Bounds_that_do_not_ascend_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LatencyHistogram(0.1, 0.01));
    }
}

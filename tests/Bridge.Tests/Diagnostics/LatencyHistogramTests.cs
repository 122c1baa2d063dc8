using Appliance.Bridge.Diagnostics;

namespace Appliance.Bridge.Tests.Diagnostics;

public sealed class LatencyHistogramTests
{
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

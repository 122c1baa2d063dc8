using Appliance.Bridge.Diagnostics;
using Appliance.Host.Metrics;

namespace Appliance.Tests.Metrics;

public sealed class ExpositionWriterTests
{
    [Fact]
    public void A_histogram_is_written_as_cumulative_buckets_ending_in_inf_then_sum_and_count()
    {
        var histogram = new LatencyHistogram(0.001, 0.25);
        histogram.Record(TimeSpan.FromMilliseconds(0.5));
        histogram.Record(TimeSpan.FromMilliseconds(100));
        histogram.Record(TimeSpan.FromSeconds(1));

        string text = new ExpositionWriter().Histogram("x_seconds", "Help.", histogram).ToString();

        Assert.Equal(
            """
            # HELP x_seconds Help.
            # TYPE x_seconds histogram
            x_seconds_bucket{le="0.001"} 1
            x_seconds_bucket{le="0.25"} 2
            x_seconds_bucket{le="+Inf"} 3
            x_seconds_sum 1.1005
            x_seconds_count 3

            """.ReplaceLineEndings("\n"), text);
    }
}

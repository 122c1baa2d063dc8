using Appliance.Bridge.Journal.CriticalLog;

namespace Appliance.Bridge.Tests.Journal.CriticalLog;

/// <summary>Placement in a data area of 4096 bytes starting at 512 (eight sectors).</summary>
public sealed class CriticalLogRingTests
{
    private static CriticalLogRing Ring() => new(start: 512, end: 512 + 4096);

    [Fact]
    public void Records_go_one_after_another()
    {
        var ring = Ring();

        Assert.True(ring.TryPlace(1, 512, out long first));
        Assert.True(ring.TryPlace(2, 1024, out long second));
        Assert.True(ring.TryPlace(3, 512, out long third));

        Assert.Equal([512L, 1024, 2048], [first, second, third]);
    }

    [Fact]
    public void A_record_never_overwrites_one_the_journal_has_not_made_durable()
    {
        var ring = Ring();
        for (int n = 1; n <= 8; n++) Assert.True(ring.TryPlace(n, 512, out _));

        Assert.False(ring.TryPlace(9, 512, out _));
        Assert.Equal(8, ring.Live);
    }

    [Fact]
    public void Space_of_durable_records_is_reused_from_the_start_of_the_area()
    {
        var ring = Ring();
        for (int n = 1; n <= 8; n++) ring.TryPlace(n, 512, out _);

        ring.Free(durableThrough: 2);

        Assert.True(ring.TryPlace(9, 1024, out long offset));
        Assert.Equal(512, offset);
        Assert.False(ring.TryPlace(10, 512, out _));
    }

    [Fact]
    public void A_record_that_does_not_fit_before_the_end_wraps_only_over_durable_space()
    {
        var ring = Ring();
        for (int n = 1; n <= 7; n++) ring.TryPlace(n, 512, out _);   // one sector left at the end
        ring.Free(durableThrough: 1);                                 // and one at the start

        Assert.False(ring.TryPlace(8, 1024, out _));
        ring.Free(durableThrough: 2);
        Assert.True(ring.TryPlace(8, 1024, out long offset));
        Assert.Equal(512, offset);
    }

    [Fact]
    public void A_record_larger_than_a_quarter_of_the_area_is_refused()
    {
        var ring = Ring();

        Assert.False(ring.TryPlace(1, 1536, out _));
        Assert.True(ring.TryPlace(1, 1024, out _));
    }
}

using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class LevelDebouncerTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(30);
    private readonly FakeTimeProvider _time = new();
    private readonly List<bool> _edges = [];

    [Fact]
    public void A_press_shorter_than_the_debounce_is_dropped_when_debouncing_on_the_trailing_edge()
    {
        using var debouncer = new LevelDebouncer(_time, Debounce, (level, _) => _edges.Add(level));

        debouncer.Set(true);
        debouncer.Set(false);
        _time.Advance(Debounce);

        Assert.Empty(_edges);
    }

    [Fact]
    public void A_press_and_release_read_together_are_both_reported_when_debouncing_on_the_leading_edge()
    {
        using var debouncer = new LevelDebouncer(_time, Debounce, (level, _) => _edges.Add(level), leadingEdge: true);

        debouncer.Set(true);
        debouncer.Set(false);
        Assert.Equal([true], _edges);

        _time.Advance(Debounce);
        Assert.Equal([true, false], _edges);
    }

    [Fact]
    public void Bounces_after_a_leading_edge_are_folded_into_the_level_at_the_end_of_the_period()
    {
        using var debouncer = new LevelDebouncer(_time, Debounce, (level, _) => _edges.Add(level), leadingEdge: true);

        debouncer.Set(true);
        debouncer.Set(false);
        debouncer.Set(true);
        _time.Advance(Debounce);

        Assert.Equal([true], _edges);
        Assert.True(debouncer.Level);
    }

    [Fact]
    public void After_its_period_a_leading_edge_debouncer_reports_the_next_change_at_once()
    {
        using var debouncer = new LevelDebouncer(_time, Debounce, (level, _) => _edges.Add(level), leadingEdge: true);
        debouncer.Set(true);
        _time.Advance(Debounce);

        debouncer.Set(false);

        Assert.Equal([true, false], _edges);
    }
}

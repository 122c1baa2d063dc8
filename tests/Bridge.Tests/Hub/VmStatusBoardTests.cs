using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Tests.Hub;

/// <summary>The board's slowly changing state notifies on change only; per-event counters notify nobody.</summary>
public sealed class VmStatusBoardTests
{
    private readonly VmStatusBoard _board = new();
    private readonly List<string> _changed = [];

    public VmStatusBoardTests() => _board.Changed += _changed.Add;

    [Fact]
    public void Counting_events_raises_no_change()
    {
        _board.SetRunStatus("vm1", "running");
        _changed.Clear();

        for (int i = 0; i < 100; i++) _board.Events.Count("vm1", "RTC_CHANGE", DateTimeOffset.UnixEpoch.AddSeconds(i));
        _board.Events.MarkApplied("vm1", DateTimeOffset.UnixEpoch.AddSeconds(99));

        Assert.Empty(_changed);
        Assert.Equal(new VmEventTally("vm1", 100, "RTC_CHANGE", DateTimeOffset.UnixEpoch.AddSeconds(99), DateTimeOffset.UnixEpoch.AddSeconds(99)), _board.Events.Get("vm1"));
    }

    [Fact]
    public void Setting_the_same_run_status_or_alarms_again_raises_no_change()
    {
        _board.SetRunStatus("vm1", "running");
        _board.SetAlarms("vm1", ["WATCHDOG"]);
        _changed.Clear();

        _board.SetRunStatus("vm1", "running");
        _board.SetAlarms("vm1", ["WATCHDOG"]);

        Assert.Empty(_changed);
    }

    [Fact]
    public void Each_new_run_status_raises_a_change()
    {
        _board.SetRunStatus("vm1", "running");

        _board.SetRunStatus("vm1", "paused");

        Assert.Equal(["vm1", "vm1"], _changed);
    }

    [Fact]
    public void Tally_is_not_settled_until_the_indicators_applied_the_last_event()
    {
        _board.Events.MarkApplied("vm1", DateTimeOffset.UnixEpoch);
        _board.Events.Count("vm1", "WATCHDOG", DateTimeOffset.UnixEpoch.AddSeconds(1));

        Assert.False(_board.Events.Get("vm1").Settled);
        _board.Events.MarkApplied("vm1", DateTimeOffset.UnixEpoch.AddSeconds(1));
        Assert.True(_board.Events.Get("vm1").Settled);
    }

    [Fact]
    public void Removing_a_vm_forgets_its_counters()
    {
        _board.SetRunStatus("vm1", "running");
        _board.Events.Count("vm1", "STOP", DateTimeOffset.UnixEpoch);

        _board.Remove("vm1");

        Assert.Equal(0, _board.Events.Get("vm1").Events);
    }
}

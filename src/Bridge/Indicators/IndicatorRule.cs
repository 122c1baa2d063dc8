namespace Appliance.Bridge.Indicators;

/// <summary>When to drive an indicator and how. Exactly one trigger: <see cref="Events"/>, <see cref="Critical"/> or
/// <see cref="RunStates"/>. State rules hold while a VM is in one of the states; event rules hold for
/// <see cref="Duration"/> or, when <see cref="Latch"/> is set, until acknowledged.</summary>
public sealed class IndicatorRule
{
    /// <summary>Name for the dashboard and logs; defaults to the indicator and trigger.</summary>
    public string? Name { get; set; }

    /// <summary>The indicator this rule drives.</summary>
    public string Indicator { get; set; } = "";

    /// <summary>QMP (or appliance) event names that fire the rule.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Fire on every critical event (<see cref="Pipeline.VmEvent.IsCritical"/>).</summary>
    public bool Critical { get; set; }

    /// <summary>QEMU run states (running, paused, shutdown, ...) during which the rule holds.</summary>
    public List<string> RunStates { get; set; } = [];

    /// <summary>Only this VM, when set.</summary>
    public string? Vm { get; set; }

    /// <summary>What the indicator does while the rule holds.</summary>
    public IndicatorAction Action { get; set; } = IndicatorAction.On;

    /// <summary>Blink period (on plus off).</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Blink duty cycle: the on fraction of <see cref="Period"/>, between 0 and 1 exclusive.</summary>
    public double Duty { get; set; } = 0.5;

    /// <summary>How long an event rule holds (a pulse's length); not for state rules or latched rules.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Hold until acknowledged (MQTT, push button, CLI); the event names become the VM's latched alarms.</summary>
    public bool Latch { get; set; }

    /// <summary>When rules compete for one indicator the highest priority wins; on a tie, the most recent.</summary>
    public int Priority { get; set; }

    internal bool IsStateRule => RunStates.Count > 0;

    internal string DisplayName => Name ?? $"{Indicator}:" + (IsStateRule ? string.Join('|', RunStates) : Critical ? "critical" : string.Join('|', Events));
}

/// <summary>What an indicator does while a rule holds.</summary>
public enum IndicatorAction
{
    /// <summary>Solid on.</summary>
    On,
    /// <summary>Off (overrides lower priority rules).</summary>
    Off,
    /// <summary>Blink with the rule's period and duty.</summary>
    Blink,
    /// <summary>On for the rule's duration, then back to whatever else holds.</summary>
    Pulse,
}

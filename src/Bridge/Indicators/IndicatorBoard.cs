namespace Appliance.Bridge.Indicators;

/// <summary>What every indicator shows now, for the dashboard and the MQTT mirror.</summary>
public sealed class IndicatorBoard
{
    private readonly object _gate = new();
    private IndicatorState[] _states = [];

    /// <summary>Raised after an indicator's pattern changed (not on every blink toggle). Handlers must be quick,
    /// must not throw and must not call back into the indicator service.</summary>
    public event Action<IndicatorState>? Changed;

    /// <summary>Every configured indicator, in configuration order.</summary>
    public IReadOnlyList<IndicatorState> States => Volatile.Read(ref _states);

    /// <summary>One indicator's state, if configured.</summary>
    public IndicatorState? Get(string name) => States.FirstOrDefault(s => s.Name == name);

    internal void Set(IndicatorState state)
    {
        lock (_gate)
        {
            var states = _states;
            int index = Array.FindIndex(states, s => s.Name == state.Name);
            IndicatorState[] next = index < 0 ? [.. states, state] : [.. states];
            if (index >= 0) next[index] = state;
            Volatile.Write(ref _states, next);
        }
        Changed?.Invoke(state);
    }
}

/// <summary>One indicator as a technician sees it.</summary>
/// <param name="Name">The indicator's name.</param>
/// <param name="Kind">LED or relay.</param>
/// <param name="Pin">The configured pin name.</param>
/// <param name="Pattern">Off, on or blinking.</param>
/// <param name="Rule">The rule that decides it, or null when none holds.</param>
/// <param name="Since">When the pattern started.</param>
public sealed record IndicatorState(string Name, IndicatorKind Kind, string Pin, IndicatorPattern Pattern, string? Rule, DateTimeOffset Since);

/// <summary>What an indicator shows.</summary>
public enum IndicatorPattern
{
    /// <summary>Off.</summary>
    Off,
    /// <summary>Solid on.</summary>
    On,
    /// <summary>Blinking.</summary>
    Blink,
}

using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Indicators;

/// <summary>One indicator at run time: its line, the rules holding now, and the blink timer. Every member is called
/// under the engine's lock (the blink timer takes it itself).</summary>
internal sealed class IndicatorChannel(IndicatorDefinition definition, GpioOutputLine output, object gate, TimeProvider time, ILogger logger)
{
    private object? _blinkToken;
    private ITimer? _blinkTimer;
    private bool _blinkOn;
    private IndicatorRule? _winner;
    private bool _applied;

    public IndicatorDefinition Definition { get; } = definition;

    public List<Activation> Activations { get; } = [];

    /// <summary>Picks the winning rule (highest priority, then most recent) and drives the line if it changed.
    /// Returns the new state when the pattern changed.</summary>
    public IndicatorState? Apply()
    {
        Activation? best = null;
        foreach (var a in Activations)
        {
            if (best is null || a.Rule.Priority > best.Rule.Priority || (a.Rule.Priority == best.Rule.Priority && a.Order > best.Order)) best = a;
        }
        var rule = best?.Rule;
        if (_applied && ReferenceEquals(rule, _winner)) return null;
        _applied = true;
        _winner = rule;
        StopBlink();
        var action = rule?.Action ?? IndicatorAction.Off;
        if (action == IndicatorAction.Blink) StartBlink(rule!);
        else Write(action is IndicatorAction.On or IndicatorAction.Pulse);
        var pattern = action switch
        {
            IndicatorAction.Blink => IndicatorPattern.Blink,
            IndicatorAction.On or IndicatorAction.Pulse => IndicatorPattern.On,
            _ => IndicatorPattern.Off,
        };
        return new IndicatorState(Definition.Name, Definition.Kind, Definition.Pin, pattern, rule?.DisplayName, time.GetUtcNow());
    }

    /// <summary>Stops everything and leaves the line in its safe state, then releases it.</summary>
    public void Release()
    {
        StopBlink();
        foreach (var a in Activations) a.Expiry?.Dispose();
        Activations.Clear();
        Write(Definition.SafeState == IndicatorLevel.On);
        output.Dispose();
    }

    private void StartBlink(IndicatorRule rule)
    {
        var token = new object();
        _blinkToken = token;
        _blinkOn = true;
        Write(true);
        var on = rule.Period * rule.Duty;
        var off = rule.Period - on;
        _blinkTimer = time.CreateTimer(state =>
        {
            lock (gate)
            {
                if (!ReferenceEquals(state, _blinkToken)) return;
                _blinkOn = !_blinkOn;
                Write(_blinkOn);
                _blinkTimer?.Change(_blinkOn ? on : off, Timeout.InfiniteTimeSpan);
            }
        }, token, on, Timeout.InfiniteTimeSpan);
    }

    private void StopBlink()
    {
        _blinkToken = null;
        _blinkTimer?.Dispose();
        _blinkTimer = null;
    }

    private void Write(bool active)
    {
        try
        {
            output.Write(active);
        }
        catch (IOException e)
        {
            // One failing line must not stop the others; the next change retries it.
            logger.LogError(e, "Indicator {Indicator} on {Pin}: write failed", Definition.Name, output.Pin);
        }
    }
}

/// <summary>A rule holding for one indicator: for a VM (empty for run-state rules, which aggregate all VMs).</summary>
internal sealed class Activation(IndicatorRule rule, string vm, long order)
{
    public IndicatorRule Rule { get; } = rule;
    public string Vm { get; } = vm;
    public long Order { get; } = order;
    public ITimer? Expiry { get; set; }
}

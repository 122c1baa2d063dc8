using System.Device.Gpio;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Indicators;

/// <summary>The rules at run time: which rules hold for which indicator, latched alarms per VM, run states.
/// One lock guards everything; every call is short and never waits on I/O other than the GPIO write itself.</summary>
internal sealed class IndicatorEngine : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly IndicatorBoard _board;
    private readonly Action<string, IReadOnlyList<string>> _alarmsChanged;
    private readonly Dictionary<string, IndicatorChannel> _channels = new(StringComparer.Ordinal);
    private readonly IndicatorRule[] _eventRules;
    private readonly IndicatorRule[] _stateRules;
    private readonly Dictionary<string, string> _runStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(IndicatorRule Rule, string Event)>> _latched = new(StringComparer.Ordinal);
    private readonly List<(string Vm, IReadOnlyList<string> Alarms)> _alarmNotices = [];
    private long _order;
    private bool _released;
    private bool _outputsHeld = true;

    // Channels changed while one event or run-state change is applied; each is driven once at the end, so a lamp
    // moving from one rule to another (status-running to status-paused) never shows the "off" in between.
    private readonly HashSet<IndicatorChannel> _pending = [];
    private bool _deferring;

    private IndicatorEngine(IndicatorOptions options, TimeProvider time, IndicatorBoard board, Action<string, IReadOnlyList<string>> alarmsChanged)
    {
        _time = time;
        _board = board;
        _alarmsChanged = alarmsChanged;
        _eventRules = [.. options.Rules.Where(r => !r.IsStateRule)];
        _stateRules = [.. options.Rules.Where(r => r.IsStateRule)];
    }

    /// <summary>Requests every indicator line at its safe state and publishes the
    /// initial states. On any failure the lines already requested are released again.</summary>
    public static IndicatorEngine Open(IndicatorOptions options, GpioLineMap lines, GpioController controller,
        TimeProvider time, IndicatorBoard indicatorBoard, Action<string, IReadOnlyList<string>> alarmsChanged, ILogger logger)
    {
        var engine = new IndicatorEngine(options, time, indicatorBoard, alarmsChanged);
        try
        {
            foreach (var definition in options.Indicators)
            {
                var output = GpioOutputLine.Open(controller, lines, definition.Name, definition.SafeState == IndicatorLevel.On);
                engine._channels[definition.Name] = new IndicatorChannel(definition, output, engine._gate, time, logger);
                indicatorBoard.Set(new IndicatorState(definition.Name, definition.Kind, definition.Pin,
                    definition.SafeState == IndicatorLevel.On ? IndicatorPattern.On : IndicatorPattern.Off, null, time.GetUtcNow()));
            }
        }
        catch
        {
            engine.Dispose();
            throw;
        }
        return engine;
    }

    /// <summary>Applies one event: the run state it carries (<see cref="VmEvent.RunState"/>), event rules, latches.</summary>
    public void OnEvent(VmEvent vmEvent)
    {
        lock (_gate)
        {
            if (_released) return;
            _deferring = true;
            try
            {
                if (vmEvent.RunState is { } state) SetRunStateLocked(vmEvent.Vm, state);
                foreach (var rule in _eventRules)
                {
                    if (!Matches(rule, vmEvent.Vm, vmEvent.Event.Name, vmEvent.IsCritical)) continue;
                    if (rule.Latch) Latch(rule, vmEvent.Vm, vmEvent.Event.Name);
                    else Hold(rule, vmEvent.Vm);
                }
            }
            finally
            {
                FlushPending();
            }
        }
        DeliverAlarmNotices();
    }

    /// <summary>Lets the rules drive the lines. Until then (journal replay, initial run states) every line stays in its
    /// safe state, so a replayed alarm followed by its acknowledgement never pulses a relay.</summary>
    public void ApplyAll()
    {
        lock (_gate)
        {
            if (_released) return;
            _outputsHeld = false;
            foreach (var channel in _channels.Values) Publish(channel);
        }
    }

    /// <summary>Forgets a VM (its monitor went away for good) and re-evaluates the run-state rules.</summary>
    public void Forget(string vm)
    {
        lock (_gate)
        {
            if (_released) return;
            _deferring = true;
            try
            {
                SetRunStateLocked(vm, null);
            }
            finally
            {
                FlushPending();
            }
        }
    }

    /// <summary>Clears the latched alarms of <paramref name="vm"/> (all VMs when null); returns what was cleared per VM.</summary>
    public IReadOnlyList<(string Vm, IReadOnlyList<string> Alarms)> Acknowledge(string? vm)
    {
        var cleared = new List<(string, IReadOnlyList<string>)>();
        lock (_gate)
        {
            foreach (var name in _latched.Keys.Where(k => vm is null || k == vm).ToList())
            {
                cleared.Add((name, AlarmNames(name)));
                ClearLatched(name);
            }
        }
        DeliverAlarmNotices();
        return cleared;
    }

    /// <summary>Rebuilds latched alarms from journal rows, oldest first: critical and latched events latch, an
    /// acknowledgement clears what its VM had latched before it.</summary>
    public void Replay(IEnumerable<JournalEntry> entries)
    {
        lock (_gate)
        {
            foreach (var entry in entries)
            {
                if (entry.Event == ApplianceEventNames.AlarmAcknowledged)
                {
                    ClearLatched(entry.Vm);
                    continue;
                }
                foreach (var rule in _eventRules)
                {
                    if (rule.Latch && Matches(rule, entry.Vm, entry.Event, (entry.Flags & VmEventFlags.Critical) != 0)) Latch(rule, entry.Vm, entry.Event);
                }
            }
        }
        DeliverAlarmNotices();
    }

    /// <summary>Forces an indicator (the CLI's <c>gpio set</c>) above every rule, or gives it back to the rules when null.</summary>
    /// <exception cref="KeyNotFoundException">No indicator of that name.</exception>
    public void Override(string indicator, IndicatorAction? action, TimeSpan blinkPeriod)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(indicator, out var channel))
            {
                throw new KeyNotFoundException($"no indicator '{indicator}'; configured: {string.Join(", ", _channels.Keys)}");
            }
            channel.Activations.RemoveAll(a => a.Rule.Priority == int.MaxValue);
            if (action is { } a)
            {
                var rule = new IndicatorRule { Name = "manual", Indicator = indicator, Action = a, Period = blinkPeriod, Priority = int.MaxValue };
                channel.Activations.Add(new Activation(rule, "", ++_order));
            }
            Publish(channel);
        }
    }

    /// <summary>Latched alarms per VM, for tests and the CLI.</summary>
    public IReadOnlyList<string> AlarmsOf(string vm)
    {
        lock (_gate) return AlarmNames(vm);
    }

    /// <summary>Stops every timer and puts every line back in its safe state, then releases them.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_released) return;
            _released = true;
            foreach (var channel in _channels.Values) channel.Release();
        }
    }

    private void SetRunStateLocked(string vm, string? runState)
    {
        _runStates.TryGetValue(vm, out var old);
        if (old == runState) return;
        if (runState is null) _runStates.Remove(vm);
        else _runStates[vm] = runState;
        foreach (var rule in _stateRules)
        {
            bool holds = _runStates.Any(kv => (rule.Vm is null || rule.Vm == kv.Key) && rule.RunStates.Contains(kv.Value, StringComparer.OrdinalIgnoreCase));
            var channel = _channels[rule.Indicator];
            int index = channel.Activations.FindIndex(a => ReferenceEquals(a.Rule, rule));
            if (holds == index >= 0) continue;
            if (holds) channel.Activations.Add(new Activation(rule, "", ++_order));
            else channel.Activations.RemoveAt(index);
            Publish(channel);
        }
    }

    private void Latch(IndicatorRule rule, string vm, string eventName)
    {
        if (!_latched.TryGetValue(vm, out var alarms)) _latched[vm] = alarms = [];
        bool newAlarm = !alarms.Any(x => x.Event == eventName);
        if (!alarms.Any(x => ReferenceEquals(x.Rule, rule) && x.Event == eventName)) alarms.Add((rule, eventName));
        var channel = _channels[rule.Indicator];
        if (!channel.Activations.Any(a => ReferenceEquals(a.Rule, rule) && a.Vm == vm))
        {
            channel.Activations.Add(new Activation(rule, vm, ++_order));
            Publish(channel);
        }
        if (newAlarm) _alarmNotices.Add((vm, AlarmNames(vm)));
    }

    private void ClearLatched(string vm)
    {
        if (!_latched.Remove(vm, out var alarms)) return;
        foreach (var channel in alarms.Select(a => _channels[a.Rule.Indicator]).Distinct())
        {
            channel.Activations.RemoveAll(a => a.Rule.Latch && a.Vm == vm);
            Publish(channel);
        }
        _alarmNotices.Add((vm, []));
    }

    // A non-latched event rule holds for its Duration; firing again while it holds restarts the Duration.
    private void Hold(IndicatorRule rule, string vm)
    {
        var channel = _channels[rule.Indicator];
        var existing = channel.Activations.Find(a => ReferenceEquals(a.Rule, rule) && a.Vm == vm);
        if (existing is not null)
        {
            existing.Expiry?.Change(rule.Duration!.Value, Timeout.InfiniteTimeSpan);
            return;
        }
        var activation = new Activation(rule, vm, ++_order);
        activation.Expiry = _time.CreateTimer(_ => Expire(channel, activation), null, rule.Duration!.Value, Timeout.InfiniteTimeSpan);
        channel.Activations.Add(activation);
        Publish(channel);
    }

    private void Expire(IndicatorChannel channel, Activation activation)
    {
        lock (_gate)
        {
            if (_released || !channel.Activations.Remove(activation)) return;
            activation.Expiry?.Dispose();
            Publish(channel);
        }
    }

    // The status board raises its own Changed handlers (MQTT mirror, dashboard): never under the indicators' lock.
    private void DeliverAlarmNotices()
    {
        (string Vm, IReadOnlyList<string> Alarms)[] notices;
        lock (_gate)
        {
            if (_alarmNotices.Count == 0) return;
            notices = [.. _alarmNotices];
            _alarmNotices.Clear();
        }
        foreach (var (vm, alarms) in notices) _alarmsChanged(vm, alarms);
    }

    private void Publish(IndicatorChannel channel)
    {
        if (_outputsHeld) return;
        if (_deferring)
        {
            _pending.Add(channel);
            return;
        }
        if (channel.Apply() is { } state) _board.Set(state);
    }

    private void FlushPending()
    {
        _deferring = false;
        foreach (var channel in _pending) Publish(channel);
        _pending.Clear();
    }

    private IReadOnlyList<string> AlarmNames(string vm) =>
        _latched.TryGetValue(vm, out var alarms) ? [.. alarms.Select(a => a.Event).Distinct(StringComparer.Ordinal)] : [];

    private static bool Matches(IndicatorRule rule, string vm, string eventName, bool critical) =>
        (rule.Vm is null || rule.Vm == vm) && (rule.Critical ? critical : rule.Events.Contains(eventName, StringComparer.Ordinal));
}

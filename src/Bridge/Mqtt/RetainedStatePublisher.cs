using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt.Client;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Mqtt;

/// <summary>Keeps the retained topics current: each VM's <c>state</c> and <c>monitor</c>, each indicator, and the
/// mirror's own counters. Publishes only while connected (so nothing queues up during an outage), only what changed
/// (a retained topic re-sent unchanged wakes every subscriber for nothing), and everything again after each reconnect.
/// A change of a VM's slowly changing state (<see cref="VmStatusBoard.Changed"/>) goes out at once; its per-event
/// counters (<see cref="VmStatusBoard.Events"/>), which notify nobody, go out with it and every
/// <see cref="CounterInterval"/>.
/// A VM's <c>state</c> after an event waits (at most <see cref="SettleTimeout"/>) until the indicators applied that
/// event, so the event and the alarm it latched go out in one message.</summary>
internal sealed class RetainedStatePublisher : IIndicatorStateSink
{
    private const int MaxIndicators = 256;

    /// <summary>How often the per-event counters (last event, event count) and the mirror's counters are refreshed.</summary>
    internal static readonly TimeSpan CounterInterval = TimeSpan.FromSeconds(1);

    /// <summary>Shortest time between two rounds of state publishing: a run state flapping with every event (a guest
    /// stopping and resuming in a loop) must not re-send the retained topics as fast as the loop turns. The first
    /// change after a quiet spell still goes out at once.</summary>
    internal static readonly TimeSpan StateMinInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest a VM's state waits for the indicators to apply its latest event (they may lag under a flood,
    /// or not run at all).</summary>
    internal static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(1);

    private readonly MqttTopics _topics;
    private readonly VmStatusBoard _board;
    private readonly IJournalReader _journal;
    private readonly MqttConnection _connection;
    private readonly MirrorCounters _counters;
    private readonly Func<long> _cursor;
    private readonly TimeProvider _time;
    private readonly Signal _wake = new();
    private readonly ConcurrentDictionary<string, byte> _dirtyVms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _indicators = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _published = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _waitingSince = new(StringComparer.Ordinal);
    private byte[] _lastMirror = [];

    public RetainedStatePublisher(MqttTopics topics, VmStatusBoard board, IJournalReader journal, MqttConnection connection,
        MirrorCounters counters, Func<long> cursor, TimeProvider time)
    {
        _topics = topics;
        _board = board;
        _journal = journal;
        _connection = connection;
        _counters = counters;
        _cursor = cursor;
        _time = time;
    }

    /// <summary>Marks a VM's topics for re-publishing (hooked to <see cref="VmStatusBoard.Changed"/>).</summary>
    public void VmChanged(string vm)
    {
        _dirtyVms[vm] = 0;
        _wake.Set();
    }

    /// <summary>After a (re)connect: everything again, since the broker may have lost its retained store.</summary>
    public void RepublishAll()
    {
        _published.Clear();
        foreach (var status in _board.All) _dirtyVms[status.Vm] = 0;
        foreach (var (name, payload) in _indicators) _connection.Publish(_topics.Indicator(name), payload, retain: true);
        _lastMirror = [];
        _wake.Set();
    }

    public void PublishIndicator(string name, string stateJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        byte[] payload = Encoding.UTF8.GetBytes(stateJson ?? "");
        if (!IsJsonObject(payload)) throw new ArgumentException($"Indicator '{name}' state must be a JSON object: {stateJson}", nameof(stateJson));
        if (!_indicators.ContainsKey(name) && _indicators.Count >= MaxIndicators)
        {
            throw new ArgumentException($"More than {MaxIndicators} indicators; '{name}' is not published.", nameof(name));
        }
        _indicators[name] = payload;
        if (_connection.IsConnected) _connection.Publish(_topics.Indicator(name), payload, retain: true);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(_wake.WaitAsync(stop.Token), Task.Delay(CounterInterval, _time, stop.Token)).ConfigureAwait(false);
                await stop.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (!_connection.IsConnected) continue;
                // The counters notify nobody: every round looks at every VM (an unchanged payload is not re-sent).
                foreach (var status in _board.All) _dirtyVms.TryAdd(status.Vm, 0);
                PublishDirtyVms();
                PublishMirror();
                await Task.Delay(StateMinInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>The mirror counters, now (also used right before going offline).</summary>
    public void PublishMirror()
    {
        var payload = StatePayloads.Mirror(_counters, _cursor(), _journal.LastCommittedSeq, _journal.PrunedCount);
        if (payload.AsSpan().SequenceEqual(_lastMirror)) return;
        if (_connection.Publish(_topics.Mirror, payload, retain: true).Accepted) _lastMirror = payload;
    }

    private void PublishDirtyVms()
    {
        foreach (var vm in _dirtyVms.Keys)
        {
            _dirtyVms.TryRemove(vm, out _);
            if (_board.Get(vm) is { } status)
            {
                PublishIfChanged(_topics.Monitor(vm), StatePayloads.Monitor(status));
                var events = _board.Events.Get(vm);
                if (Settled(vm, events))
                {
                    PublishIfChanged(_topics.State(vm), StatePayloads.State(status, events));
                }
                else
                {
                    _dirtyVms[vm] = 0;
                    _wake.Set();
                }
            }
            else
            {
                // An empty retained message deletes the retained value: the VM is gone.
                PublishIfChanged(_topics.State(vm), []);
                PublishIfChanged(_topics.Monitor(vm), []);
            }
        }
    }

    /// <summary>Whether the indicators applied the VM's latest event, or it has waited long enough.</summary>
    private bool Settled(string vm, VmEventTally events)
    {
        if (events.Settled)
        {
            _waitingSince.TryRemove(vm, out _);
            return true;
        }
        var now = _time.GetUtcNow();
        if (now - _waitingSince.GetOrAdd(vm, now) < SettleTimeout) return false;
        _waitingSince.TryRemove(vm, out _);
        return true;
    }

    private void PublishIfChanged(string topic, byte[] payload)
    {
        if (_published.TryGetValue(topic, out var last) && last.AsSpan().SequenceEqual(payload)) return;
        if (!_connection.Publish(topic, payload, retain: true).Accepted) return;
        // A deletion (empty payload) is not remembered: VMs that come and go must not grow the table.
        if (payload.Length == 0) _published.TryRemove(topic, out _);
        else _published[topic] = payload;
    }

    private static bool IsJsonObject(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

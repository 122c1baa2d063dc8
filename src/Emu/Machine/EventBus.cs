using System.Buffers;
using Appliance.Emu.Personas;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Streaming;

namespace Appliance.Emu.Machine;

/// <summary>Something that receives every event line: a negotiated QMP monitor.</summary>
internal interface IEventSubscriber
{
    /// <summary>Queues one rendered event line (with CRLF). Must not block.</summary>
    void Deliver(byte[] line);
}

/// <summary>Renders events once and hands them to every negotiated monitor, throttling the events QEMU throttles.</summary>
/// <remarks>Called with the machine lock held, so events leave in the order the machine produced them.</remarks>
internal sealed class EventBus(MachineClock clock, QemuPersona persona)
{
    /// <summary>QEMU's rate-limit window (monitor_qapi_event_conf).</summary>
    public static readonly TimeSpan ThrottleWindow = TimeSpan.FromSeconds(1);

    private readonly Lock _subscribersGate = new();
    private IEventSubscriber[] _subscribers = [];
    private Dictionary<(string Name, string Key), Throttle>? _throttles;

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    public void Subscribe(IEventSubscriber subscriber)
    {
        lock (_subscribersGate) _subscribers = [.. _subscribers, subscriber];
    }

    public void Unsubscribe(IEventSubscriber subscriber)
    {
        lock (_subscribersGate) _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscriber))];
    }

    /// <summary>Emits an event now; <paramref name="data"/> null for events without data. The persona decides whether
    /// the event exists and which members it carries.</summary>
    public void Emit(string name, QmpEventData? data = null)
    {
        if (persona.HasEvent(name)) Publish(Render(name, persona.Shape(name, data)));
    }

    /// <summary>Emits a rate-limited event: the first goes out at once, then within each window only the latest is kept
    /// and goes out when the window ends (QEMU's monitor_qapi_event_queue).</summary>
    public void EmitThrottled(string name, string key, QmpEventData data)
    {
        if (!persona.HasEvent(name)) return;
        var line = Render(name, persona.Shape(name, data));
        _throttles ??= [];
        if (_throttles.TryGetValue((name, key), out var throttle))
        {
            throttle.Pending = line;
            return;
        }
        Publish(line);
        throttle = new Throttle();
        _throttles[(name, key)] = throttle;
        throttle.Timer = clock.Every(ThrottleWindow, () => EndWindow(name, key, throttle));
    }

    private void EndWindow(string name, string key, Throttle throttle)
    {
        if (throttle.Pending is { } pending)
        {
            throttle.Pending = null;
            Publish(pending);
            return;
        }
        throttle.Timer?.Cancel();
        _throttles?.Remove((name, key));
    }

    private byte[] Render(string name, QmpEventData? data)
    {
        var output = new ArrayBufferWriter<byte>(128);
        var stamp = QmpTimestamp.FromDateTimeOffset(clock.Now);
        QmpMessageWriter.WriteEvent(output, name, stamp, data is null ? null : w => QmpEventCatalog.WriteData(w, data));
        return QemuJsonWriter.Relayout(output.WrittenSpan);
    }

    private void Publish(byte[] line)
    {
        foreach (var s in Volatile.Read(ref _subscribers)) s.Deliver(line);
    }

    private sealed class Throttle
    {
        public byte[]? Pending { get; set; }
        public MachineClock.ScheduledAction? Timer { get; set; }
    }
}

using System.Buffers;
using System.Text.Json;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Mqtt;

/// <summary>The retained JSON documents of <c>.../state</c>, <c>.../monitor</c> and <c>.../mirror</c>.</summary>
internal static class StatePayloads
{
    /// <summary><c>{"vm","status","running","alarm","alarms":[...],"last-event","last-event-at","events"}</c>.</summary>
    public static byte[] State(VmStatus status, VmEventTally events) => Write(w =>
    {
        w.WriteString("vm"u8, status.Vm);
        w.WriteString("status"u8, status.RunStatus);
        w.WriteBoolean("running"u8, status.RunStatus == "running");
        w.WriteBoolean("alarm"u8, status.Alarms.Count > 0);
        w.WriteStartArray("alarms"u8);
        foreach (var alarm in status.Alarms) w.WriteStringValue(alarm);
        w.WriteEndArray();
        if (events.LastEvent is { } last) w.WriteString("last-event"u8, last);
        if (events.LastEventAt is { } at) w.WriteString("last-event-at"u8, at);
        w.WriteNumber("events"u8, events.Events);
    });

    /// <summary><c>{"vm","state","connected","since"}</c> with the state in lower case (<c>running</c>,
    /// <c>disconnected</c>, ...); <c>connected</c> is what Home Assistant's availability reads.</summary>
    public static byte[] Monitor(VmStatus status) => Write(w =>
    {
        w.WriteString("vm"u8, status.Vm);
        w.WriteString("state"u8, MonitorStateName(status.Monitor));
        w.WriteBoolean("connected"u8, IsConnected(status.Monitor));
        w.WriteString("since"u8, status.MonitorSince);
    });

    /// <summary><c>{"cursor","published","acknowledged","rejected","quarantined","lost-to-retention","skipped-backlog-limit","journal-pruned",...}</c>.</summary>
    public static byte[] Mirror(MirrorCounters counters, long cursor, long lastCommitted, long journalPruned) => Write(w =>
    {
        w.WriteNumber("cursor"u8, cursor);
        w.WriteNumber("backlog"u8, Math.Max(0, lastCommitted - cursor));
        w.WriteNumber("published"u8, counters.Published);
        w.WriteNumber("acknowledged"u8, counters.Acknowledged);
        w.WriteNumber("rejected"u8, counters.Rejected);
        w.WriteNumber("quarantined"u8, counters.Quarantined);
        w.WriteNumber("lost-to-retention"u8, counters.LostToRetention);
        w.WriteNumber("skipped-backlog-limit"u8, counters.SkippedForBacklog);
        w.WriteNumber("journal-pruned"u8, journalPruned);
        w.WriteNumber("commands"u8, counters.Commands);
        w.WriteNumber("command-errors"u8, counters.CommandErrors);
    });

    /// <summary>True while the monitor's connection is up (negotiated), even if it is stalled or backpressured.</summary>
    public static bool IsConnected(MonitorState state) =>
        state is MonitorState.Running or MonitorState.Stalled or MonitorState.Backpressured;

    public static string MonitorStateName(MonitorState state) => state switch
    {
        MonitorState.Idle => "idle",
        MonitorState.Connecting => "connecting",
        MonitorState.Negotiating => "negotiating",
        MonitorState.Running => "running",
        MonitorState.Stalled => "stalled",
        MonitorState.Backpressured => "backpressured",
        _ => "disconnected",
    };

    private static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

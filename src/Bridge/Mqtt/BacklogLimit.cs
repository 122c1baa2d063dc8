using System.Buffers;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Mqtt;

/// <summary>Journal rows <see cref="First"/>..<see cref="Last"/> skipped for MQTT because the backlog passed its bound.</summary>
internal sealed record SkippedRange(long First, long Last)
{
    /// <summary>Rows in the range (seqs are gap-free until retention prunes, and it prunes only the oldest).</summary>
    public long Count => Last - First + 1;
}

/// <summary>Applies <see cref="MqttMirrorOptions.MaxBacklogEvents"/> and <see cref="MqttMirrorOptions.MaxBacklogAge"/>:
/// which of the oldest undelivered events a box back from a long outage should not send (a week of stale events
/// would bury the live ones), and the one <c>APPLIANCE_GAP</c> message that says so.</summary>
internal sealed class BacklogLimit(MqttMirrorOptions options, IJournalReader journal, TimeProvider time)
{
    /// <summary>The age bound costs a journal query; events arriving one by one need it at most this often.</summary>
    private static readonly TimeSpan AgeCheckInterval = TimeSpan.FromSeconds(1);

    private long _ageCheckedAt;
    private bool _ageChecked;

    /// <summary>The events after <paramref name="cursor"/> past either bound, oldest first; null when within both.</summary>
    public SkippedRange? Excess(long cursor)
    {
        long last = options.MaxBacklogEvents > 0 ? journal.LastCommittedSeq - options.MaxBacklogEvents : 0;
        if (options.MaxBacklogAge > TimeSpan.Zero && AgeCheckDue())
        {
            // The newest undelivered row received before the cutoff: it and everything before it are too old.
            var cutoff = time.GetUtcNow() - options.MaxBacklogAge;
            var tooOld = journal.Query(new JournalQuery(Until: cutoff, AfterSeq: cursor, Limit: 1));
            if (tooOld.Count == 1) last = Math.Max(last, tooOld[0].Seq);
        }
        if (last <= cursor) return null;
        var first = journal.ReadAfter(cursor, 1);
        // Retention may have taken them meanwhile: then there is nothing to skip.
        return first.Count == 1 && first[0].Seq <= last ? new SkippedRange(first[0].Seq, last) : null;
    }

    /// <summary>The gap message: <c>{"timestamp","event":"APPLIANCE_GAP","data":{"reason":"backlog-limit","skipped",
    /// "first-seq","last-seq"},"node","received"}</c>.</summary>
    public byte[] GapPayload(SkippedRange skip, string node)
    {
        var now = time.GetUtcNow();
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            var timestamp = QmpTimestamp.FromDateTimeOffset(now);
            w.WriteStartObject("timestamp"u8);
            w.WriteNumber("seconds"u8, timestamp.Seconds);
            w.WriteNumber("microseconds"u8, timestamp.Microseconds);
            w.WriteEndObject();
            w.WriteString("event"u8, ApplianceEventNames.Gap);
            w.WriteStartObject("data"u8);
            w.WriteString("reason"u8, "backlog-limit");
            w.WriteNumber("skipped"u8, skip.Count);
            w.WriteNumber("first-seq"u8, skip.First);
            w.WriteNumber("last-seq"u8, skip.Last);
            w.WriteEndObject();
            w.WriteString("node"u8, node);
            w.WriteString("received"u8, now);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private bool AgeCheckDue()
    {
        long now = time.GetTimestamp();
        if (_ageChecked && time.GetElapsedTime(_ageCheckedAt, now) < AgeCheckInterval) return false;
        _ageChecked = true;
        _ageCheckedAt = now;
        return true;
    }
}

using System.Text.Json;
using Appliance.Bridge.Journal;

namespace Appliance.Host.Status;

/// <summary>The <c>journal</c> section: path, rows in the table, rows written by this run, size, commit rate (events/s, a number), batches, latency, flushes (and failed fsyncs)
/// and what retention pruned.</summary>
internal sealed class JournalStatusSection(EventJournal journal, JournalWriter writer, TimeProvider time) : IStatusSection
{
    private readonly RateMeter _rate = new(time);

    public string Name => "journal";

    public void Write(Utf8JsonWriter w)
    {
        var counters = writer.Counters;
        w.WriteStartObject();
        w.WriteString("path", journal.Path);
        w.WriteNumber("last-seq", journal.LastCommittedSeq);
        // Rows in the table: every sequence number handed out, less what retention pruned (rows are only ever
        // deleted by retention). "written" is what this run appended.
        w.WriteNumber("rows", Math.Max(0, journal.LastCommittedSeq - journal.PrunedCount));
        w.WriteNumber("written", counters.Rows);
        w.WriteNumber("batches", counters.Batches);
        w.WriteNumber("syncs", counters.Syncs);
        if (writer.CriticalLaneCounts is { } lane)
        {
            w.WriteNumber("critical-lane-written", lane.Written);
            w.WriteNumber("critical-lane-skipped", lane.Skipped);
        }
        w.WriteNumber("pending", counters.PendingRows);
        w.WriteNumber("queued", writer.Queued); // waiting in the hub for the writer: with "pending", all not yet journaled
        w.WriteNumber("rate", Math.Round(_rate.PerSecond(counters.Rows), 1));
        w.WriteNumber("last-commit-ms", counters.LastCommitLatency.TotalMilliseconds);
        w.WriteNumber("max-commit-ms", counters.MaxCommitLatency.TotalMilliseconds);
        w.WriteNumber("size-bytes", journal.UsedBytes);
        w.WriteNumber("pruned", journal.PrunedCount);
        w.WriteEndObject();
    }
}

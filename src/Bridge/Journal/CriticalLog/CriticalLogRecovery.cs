using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>At every open of the journal, before anything writes or reads it: puts back the critical events the
/// critical log holds and the table lost (a power cut took the commit holding them), in their order, in one commit that
/// also moves the <c>critical_log</c> counter past them; then opens the log for this run's records.</summary>
internal static class CriticalLogRecovery
{
    internal const string CounterName = "critical_log";
    internal const string JournalIdName = "journal_id";

    /// <summary>The log file beside the journal at <paramref name="journalPath"/>.</summary>
    internal static string LogPath(string journalPath) => journalPath + "-critical";

    /// <summary>What an open found and did.</summary>
    /// <param name="Recovered">Critical events put back into the table.</param>
    /// <param name="Unreadable">Records whose line no longer parses as a QMP event (left out, never expected).</param>
    /// <param name="Problem">Why the log file was not read or cannot be written this run, or null.</param>
    internal sealed record Outcome(int Recovered, int Unreadable, string? Problem);

    /// <summary>Recovers into <paramref name="store"/> and returns the log for this run (writing records when
    /// <see cref="JournalOptions.CriticalLogBytes"/> is not 0 and the recovery succeeded).</summary>
    internal static CriticalEventLog Run(JournalWriteStore store, JournalOptions options, out Outcome outcome)
    {
        string path = LogPath(options.Path);
        long journalId = store.ExecuteScalar($"SELECT value FROM counters WHERE name = '{JournalIdName}'");
        long counter = store.ExecuteScalar($"SELECT value FROM counters WHERE name = '{CounterName}'");
        var records = CriticalLogFile.ReadRecords(path, journalId, out string? problem);
        long next = Math.Max(counter, records.Count == 0 ? 0 : records.Max(r => r.Number)) + 1;

        var lost = records.Where(r => r.Number > counter).DistinctBy(r => r.Number).OrderBy(r => r.Number).ToList();
        var events = new List<VmEvent>(lost.Count);
        var numbers = new Dictionary<VmEvent, long>(ReferenceEqualityComparer.Instance);
        int unreadable = 0;
        foreach (var record in lost)
        {
            if (ToVmEvent(record) is { } vmEvent)
            {
                events.Add(vmEvent);
                numbers[vmEvent] = record.Number;
            }
            else
            {
                unreadable++;
            }
        }
        if (events.Count > 0)
        {
            try
            {
                store.CriticalNumberOf = e => numbers.GetValueOrDefault(e);
                // Flushed before this run's records may overwrite theirs in the log.
                store.Append(events, flush: true);
            }
            catch (Exception e) when (e is Sqlite.SqliteException or IOException)
            {
                // The records stay in the file, untouched, for the next open; this run writes none (it could overwrite them).
                outcome = new Outcome(0, unreadable, $"its {events.Count} lost critical events could not be put back ({e.Message}); they stay in '{path}' for the next start");
                return new CriticalEventLog(file: null, next, counter);
            }
            finally
            {
                store.CriticalNumberOf = null;
            }
            counter = Math.Max(counter, lost[^1].Number);
        }
        outcome = new Outcome(events.Count, unreadable, problem is null ? null : $"'{path}' was not read: {problem}");

        CriticalLogFile? file = null;
        try
        {
            if (options.CriticalLogBytes > 0) file = CriticalLogFile.Open(path, journalId, options.CriticalLogBytes);
            else File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Critical events are then durable with their journal commit, as with the log off.
            outcome = outcome with { Problem = $"'{path}' cannot be written ({e.Message}); critical events are durable with their journal commit only" };
        }
        return new CriticalEventLog(file, next, counter);
    }

    private static VmEvent? ToVmEvent(CriticalLogRecord record)
    {
        try
        {
            if (QmpMessageParser.Parse(record.Line) is not QmpEvent qmpEvent) return null;
            var received = DateTimeOffset.UnixEpoch.AddTicks(record.ReceivedUs * TimeSpan.TicksPerMicrosecond);
            return new VmEvent(record.Vm, qmpEvent, received, record.Flags);
        }
        catch (QmpProtocolException)
        {
            return null;
        }
    }
}

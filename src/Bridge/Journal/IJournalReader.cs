namespace Appliance.Bridge.Journal;

/// <summary>Read side of the event journal, as sinks that forward committed events (the MQTT mirror) use it.</summary>
public interface IJournalReader
{
    /// <summary>The highest committed sequence number, or 0 when the journal is empty.</summary>
    long LastCommittedSeq { get; }

    /// <summary>Committed rows with <c>seq &gt; afterSeq</c>, in sequence order, at most <paramref name="max"/>.</summary>
    IReadOnlyList<JournalEntry> ReadAfter(long afterSeq, int max);

    /// <summary>Completes when a row with <c>seq &gt; afterSeq</c> is committed (at once if one already is).</summary>
    ValueTask WaitForCommitAsync(long afterSeq, CancellationToken cancellationToken);

    /// <summary>The durable cursor of sink <paramref name="sink"/>: the last seq it has fully handled, 0 if none.</summary>
    long GetCursor(string sink);

    /// <summary>Durably moves the cursor of sink <paramref name="sink"/> forward.</summary>
    void SetCursor(string sink, long seq);

    /// <summary>Rows matching <paramref name="query"/>: the newest <see cref="JournalQuery.Limit"/>, oldest first.</summary>
    IReadOnlyList<JournalEntry> Query(JournalQuery query);

    /// <summary>Rows removed by retention so far (all time), so a sink can report what it could not deliver.</summary>
    long PrunedCount { get; }
}

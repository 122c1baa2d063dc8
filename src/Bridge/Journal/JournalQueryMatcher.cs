namespace Appliance.Bridge.Journal;

/// <summary>Applies a <see cref="JournalQuery"/>'s filters (not its limit) to one row in memory.</summary>
public static class JournalQueryMatcher
{
    /// <summary>True when <paramref name="entry"/> passes every filter of <paramref name="query"/>.</summary>
    public static bool Matches(JournalQuery query, JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Seq > query.AfterSeq
               && (query.Vm is null || query.Vm == entry.Vm)
               && (query.Events is not { Count: > 0 } events || events.Contains(entry.Event))
               && (query.Since is not { } since || entry.Received >= since)
               && (query.Until is not { } until || entry.Received < until);
    }
}

namespace Appliance.Bridge.Journal;

/// <summary>A filter over journal rows, as <c>appliance events</c> and the indicators' restart replay use it.</summary>
/// <param name="Vm">Only this VM, when set.</param>
/// <param name="Events">Only these event names, when set and not empty.</param>
/// <param name="Since">Only rows received at or after this time.</param>
/// <param name="Until">Only rows received before this time.</param>
/// <param name="AfterSeq">Only rows with a greater sequence number (for following).</param>
/// <param name="Limit">At most this many rows: the newest ones, returned oldest first.</param>
public sealed record JournalQuery(
    string? Vm = null,
    IReadOnlyList<string>? Events = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    long AfterSeq = 0,
    int Limit = 100);

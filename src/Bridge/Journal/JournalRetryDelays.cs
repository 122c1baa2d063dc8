namespace Appliance.Bridge.Journal;

/// <summary>How long the journal waits before retrying a failed disk operation (a commit, an fsync): 100 ms, doubling
/// up to 10 s, back to 100 ms after a success. No jitter: one process retries one file.</summary>
internal sealed class JournalRetryDelays
{
    /// <summary>The first delay, and the one a failure reports when no retry has run yet.</summary>
    internal static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan Last = TimeSpan.FromSeconds(10);

    /// <summary>The delay before the next retry.</summary>
    internal TimeSpan Current { get; private set; } = First;

    /// <summary>Doubles <see cref="Current"/>, up to 10 s.</summary>
    internal void Grow() => Current = TimeSpan.FromTicks(Math.Min(Current.Ticks * 2, Last.Ticks));

    /// <summary>Back to <see cref="First"/>.</summary>
    internal void Reset() => Current = First;
}

using System.Runtime.CompilerServices;

namespace Appliance.Bridge.Journal;

/// <summary>The <c>--follow</c> loop: yields matching rows as they are committed. It polls <see cref="IJournalReader.ReadAfter"/>
/// every <c>pollInterval</c> (the writer usually runs in another process, whose commit notifications do not reach this one)
/// and also wakes at once on an in-process commit.</summary>
public sealed class JournalFollower
{
    private const int PageSize = 1000;
    private readonly IJournalReader _reader;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;

    /// <summary>Creates a follower.</summary>
    public JournalFollower(IJournalReader reader, TimeSpan pollInterval, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        _reader = reader;
        _pollInterval = pollInterval;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Rows with seq &gt; <paramref name="filter"/>.AfterSeq that match its VM, events and time range, oldest first, until cancelled.</summary>
    public async IAsyncEnumerable<JournalEntry> FollowAsync(JournalQuery filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        long after = filter.AfterSeq;
        while (!cancellationToken.IsCancellationRequested)
        {
            var rows = _reader.ReadAfter(after, PageSize);
            foreach (var row in rows)
            {
                after = row.Seq;
                if (JournalQueryMatcher.Matches(filter, row)) yield return row;
            }
            if (rows.Count == PageSize) continue;
            if (!await WaitAsync(after, cancellationToken).ConfigureAwait(false)) yield break;
        }
    }

    private async Task<bool> WaitAsync(long after, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var commit = _reader.WaitForCommitAsync(after, wake.Token).AsTask();
        var poll = Task.Delay(_pollInterval, _time, wake.Token);
        await Task.WhenAny(commit, poll).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        return !cancellationToken.IsCancellationRequested;
    }
}

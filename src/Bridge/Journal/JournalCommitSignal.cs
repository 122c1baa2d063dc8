namespace Appliance.Bridge.Journal;

/// <summary>The highest committed sequence number, and a wake-up for everyone waiting for a newer one.</summary>
internal sealed class JournalCommitSignal(long initialSeq)
{
    private long _last = initialSeq;
    private TaskCompletionSource _next = NewSource();

    internal long Last => Interlocked.Read(ref _last);

    internal void Committed(long seq)
    {
        if (seq <= Interlocked.Read(ref _last)) return;
        Interlocked.Exchange(ref _last, seq);
        Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
    }

    internal async ValueTask WaitAsync(long afterSeq, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Take the wake-up before checking, so a commit in between is not missed.
            var next = Volatile.Read(ref _next);
            if (Last > afterSeq) return;
            await next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

namespace Appliance.Bridge.Client;

/// <summary>A cancellation token that fires when the caller cancels, when an extra token fires, or when a timeout
/// on the given clock passes; <see cref="Expired"/> tells the timeout apart.</summary>
internal sealed class PhaseDeadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource _linked;

    public PhaseDeadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, CancellationToken extra = default)
    {
        _timer = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, extra, _timer?.Token ?? CancellationToken.None);
    }

    public CancellationToken Token => _linked.Token;

    public bool Expired => _timer?.IsCancellationRequested == true;

    public void Dispose()
    {
        _linked.Dispose();
        _timer?.Dispose();
    }
}

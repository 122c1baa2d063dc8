using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>A command on the wire awaiting its reply. It owns one in-flight slot until the reply arrives or the
/// connection ends, even when its caller gave up earlier, so the server never has more than the limit queued.</summary>
internal sealed class PendingCommand(SemaphoreSlim slots)
{
    private readonly TaskCompletionSource<QmpResponse> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _released;

    public Task<QmpResponse> Reply => _reply.Task;

    public void Complete(QmpResponse response)
    {
        _reply.TrySetResult(response);
        ReleaseSlot();
    }

    public void Fail(Exception error)
    {
        _reply.TrySetException(error);
        // Nobody may be awaiting a command whose caller timed out; observe the failure here.
        _ = _reply.Task.Exception;
        ReleaseSlot();
    }

    private void ReleaseSlot()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
    }
}

using System.Buffers.Text;
using System.Collections.Concurrent;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>The commands of one connection awaiting replies: hands out ids, limits how many are on the wire,
/// and matches replies to commands by <c>id</c>.</summary>
internal sealed class CommandTable
{
    private readonly SemaphoreSlim _slots = new(QmpClientOptions.MaxCommandsInFlight, QmpClientOptions.MaxCommandsInFlight);
    private readonly ConcurrentDictionary<long, PendingCommand> _pending = new();
    private long _nextId;

    /// <summary>Waits for one of the in-flight slots; the pending command returned by <see cref="Add"/> owns it.</summary>
    public Task WaitForSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>Registers a command (after <see cref="WaitForSlotAsync"/>) under a fresh id.</summary>
    public (long Id, PendingCommand Pending) Add()
    {
        long id = Interlocked.Increment(ref _nextId);
        var pending = new PendingCommand(_slots);
        _pending[id] = pending;
        return (id, pending);
    }

    /// <summary>Hands a reply to the command with its id; false when no command waits for it.</summary>
    public bool TryComplete(QmpResponse response)
    {
        if (!response.HasId
            || !Utf8Parser.TryParse(response.Id.Span, out long id, out int consumed) || consumed != response.Id.Length
            || !_pending.TryRemove(id, out var pending))
        {
            return false;
        }
        pending.Complete(response);
        return true;
    }

    /// <summary>Forgets a command that never reached the wire, freeing its slot.</summary>
    public void Withdraw(long id)
    {
        if (_pending.TryRemove(id, out var pending)) pending.Fail(new OperationCanceledException("the command was not sent"));
    }

    /// <summary>Fails every waiting command (the connection ended).</summary>
    public void FailAll(Func<Exception> error)
    {
        foreach (long id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending)) pending.Fail(error());
        }
    }
}

using System.Device.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>The edge callbacks and waiters of one driver, by pin number. Raised on the driver's event thread; a
/// throwing callback does not stop the others or the thread.</summary>
internal sealed class PinEdgeCallbacks(object sender)
{
    private readonly object _gate = new();
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Callback)>> _byPin = [];

    public void Add(int pin, PinEventTypes types, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            if (!_byPin.TryGetValue(pin, out var list)) _byPin[pin] = list = [];
            list.Add((types, callback));
        }
    }

    public void Remove(int pin, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_byPin.TryGetValue(pin, out var list)) list.RemoveAll(c => c.Callback == callback);
        }
    }

    public void Clear(int pin)
    {
        lock (_gate) _byPin.Remove(pin);
    }

    public void Raise(PinValueChangedEventArgs edge)
    {
        (PinEventTypes Types, PinChangeEventHandler Callback)[] targets;
        lock (_gate)
        {
            if (!_byPin.TryGetValue(edge.PinNumber, out var list)) return;
            targets = [.. list];
        }
        foreach (var (types, callback) in targets)
        {
            if ((types & edge.ChangeType) == 0) continue;
            try
            {
                callback(sender, edge);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A consumer's bug must not stop edge delivery to every other line; callbacks are meant to be quick hand-offs.
            }
        }
    }

    /// <summary>Waits for the next matching edge; cancellation is a timeout, as <see cref="GpioController"/> documents.</summary>
    public async ValueTask<WaitForEventResult> WaitAsync(int pin, PinEventTypes types, CancellationToken cancellationToken)
    {
        var next = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnEdge(object s, PinValueChangedEventArgs e) => next.TrySetResult(e.ChangeType);
        Add(pin, types, OnEdge);
        try
        {
            var changed = await next.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new WaitForEventResult { EventTypes = changed, TimedOut = false };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            Remove(pin, OnEdge);
        }
    }
}

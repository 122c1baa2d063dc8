namespace Appliance.Bridge.Pipeline;

/// <summary>Runs a blocking loop on a thread of its own, for services whose work blocks (SQLite commits, checkpoints):
/// on the thread pool such a loop would hold a pool thread for milliseconds at a time, and on a 2-core box the pool
/// has two, so every other continuation in the process (monitors, MQTT, waiters for commits) would queue behind it.</summary>
internal static class DedicatedThread
{
    /// <summary>Starts <paramref name="body"/> on a new background thread; the task ends with it (cancelled when it
    /// ends with <see cref="OperationCanceledException"/>).</summary>
    internal static Task Run(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                done.TrySetResult();
            }
            catch (OperationCanceledException e)
            {
                done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Blocks the calling (dedicated) thread until the task <paramref name="start"/> returns completes or
    /// <paramref name="delay"/> passes on <paramref name="time"/>; true when the task completed. Whichever loses is
    /// cancelled through the token handed to <paramref name="start"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal static bool WaitForFirst(Func<CancellationToken, Task> start, TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var task = start(window.Token);
        if (!task.IsCompleted) Task.WaitAny(task, Task.Delay(delay, time, window.Token));
        window.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return task.IsCompleted;
    }
}

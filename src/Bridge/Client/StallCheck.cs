using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Client;

/// <summary>Finds wedged monitors: every <c>interval</c> a <c>query-status</c> must answer within <c>timeout</c>;
/// if not the monitor is stalled, and if still not after as long again, the connection is dropped so the
/// supervisor reconnects. A late answer ends the stall.</summary>
internal sealed class StallCheck(TimeSpan interval, TimeSpan timeout, TimeProvider time)
{
    /// <summary>Runs until the connection ends or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="client">The connection to watch.</param>
    /// <param name="stalledChanged">Called with true when a check goes unanswered, false when it is answered late.</param>
    /// <param name="answered">Called with each check's reply.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    public async Task RunAsync(QmpClient client, Action<bool> stalledChanged, Action<QmpResponse> answered, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
                var check = client.ExecuteAsync("query-status", default, Timeout.InfiniteTimeSpan, cancellationToken);
                if (!await AnsweredWithinAsync(check, cancellationToken).ConfigureAwait(false))
                {
                    stalledChanged(true);
                    if (!await AnsweredWithinAsync(check, cancellationToken).ConfigureAwait(false))
                    {
                        await client.DisposeAsync().ConfigureAwait(false);
                        await check.ConfigureAwait(false); // fails with QmpConnectionLostException, observed below
                        return;
                    }
                    stalledChanged(false);
                }
                answered(await check.ConfigureAwait(false));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or QmpConnectionLostException)
        {
            // The connection ended or the appliance is stopping; the supervisor's loop takes it from here.
        }
    }

    private async Task<bool> AnsweredWithinAsync(Task<QmpResponse> check, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var expiry = Task.Delay(timeout, time, wait.Token);
        var first = await Task.WhenAny(check, expiry).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == check;
    }
}

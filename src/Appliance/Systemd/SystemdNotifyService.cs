using Appliance.Host.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Systemd;

/// <summary>Speaks to systemd: READY=1 once every service has started, WATCHDOG=1 only while the pipeline is
/// healthy, STATUS= with live counters, STOPPING=1 on shutdown.</summary>
internal sealed partial class SystemdNotifyService(
    SdNotifier notifier,
    PipelineHealth health,
    Func<string> statusLine,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SystemdNotifyService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsActive)
        {
            // Nothing to tell, but a loop that ended reads as dead to PipelineHealth: stay until stopping.
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
            return;
        }
        lifetime.ApplicationStopping.Register(() => notifier.Notify("STOPPING=1\nSTATUS=stopping"));
        await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
        notifier.Notify($"READY=1\nSTATUS={statusLine()}");

        var watchdog = SdNotifier.WatchdogInterval();
        var period = watchdog is { } w ? TimeSpan.FromTicks(Math.Max(w.Ticks / 3, TimeSpan.TicksPerMillisecond * 100)) : TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(period, time);
        string? lastProblem = null;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            string? problem = health.FindProblem();
            if (problem is null)
            {
                notifier.Notify(watchdog is null ? $"STATUS={statusLine()}" : $"WATCHDOG=1\nSTATUS={statusLine()}");
            }
            else
            {
                notifier.Notify($"STATUS=unhealthy: {problem}");
                if (problem != lastProblem) LogUnhealthy(problem);
            }
            lastProblem = problem;
        }
    }

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested) return Task.CompletedTask;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "pipeline unhealthy, withholding the systemd watchdog ping: {Problem}")]
    private partial void LogUnhealthy(string problem);
}

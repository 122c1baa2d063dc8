using Appliance.Host.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Systemd;

/// <summary>Speaks to systemd: READY=1 once every service has started, WATCHDOG=1 unless the appliance is Unhealthy
/// (Degraded still pings: a restart would not fix an unreachable broker), STATUS= with the health state, every
/// problem and live counters, STOPPING=1 on shutdown. Ends at once outside systemd, by design.</summary>
internal sealed partial class SystemdNotifyService(
    SdNotifier notifier,
    HealthMonitor health,
    StatusLine statusLine,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SystemdNotifyService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Outside systemd there is nothing to tell; a service that ends by design is not a failure to the health checks.
        if (!notifier.IsActive) return;
        lifetime.ApplicationStopping.Register(() => notifier.Notify("STOPPING=1\nSTATUS=stopping"));
        await WhenStartedAsync(stoppingToken).ConfigureAwait(false);
        // One evaluation before READY, so the first STATUS= and the status document describe real checks, not "starting".
        var first = await health.EvaluateAsync(stoppingToken).ConfigureAwait(false);
        notifier.Notify($"READY=1\nSTATUS={Status(first)}");

        var watchdog = notifier.Watchdog;
        var period = watchdog is { } w ? TimeSpan.FromTicks(Math.Max(w.Ticks / 3, TimeSpan.TicksPerMillisecond * 100)) : TimeSpan.FromSeconds(5);
        using var timer = new PeriodicTimer(period, time);
        string? lastProblem = null;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var current = health.Current;
            bool ping = watchdog is not null && !health.IsUnhealthy;
            notifier.Notify(ping ? $"WATCHDOG=1\nSTATUS={Status(current)}" : $"STATUS={Status(current)}");
            string? problem = health.IsUnhealthy ? current.Summary : null;
            if (problem is not null && problem != lastProblem) LogUnhealthy(problem);
            lastProblem = problem;
        }
    }

    private string Status(ApplianceHealth current) => $"{current.Summary}; {statusLine.Format()}";

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        if (lifetime.ApplicationStarted.IsCancellationRequested) return Task.CompletedTask;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "appliance unhealthy, withholding the systemd watchdog ping: {Problem}")]
    private partial void LogUnhealthy(string problem);
}

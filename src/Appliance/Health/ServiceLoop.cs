using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>Tells a long-running loop that ended on its own (a failure) from one that ended because the host is
/// stopping, or that has not started yet.</summary>
internal static class ServiceLoop
{
    /// <summary>Why <paramref name="service"/>'s loop ended before the host began stopping, or null while it runs
    /// (or when it ended because of the stop).</summary>
    public static string? EndedEarly(BackgroundService service, IHostApplicationLifetime lifetime)
    {
        if (service.ExecuteTask is not { IsCompleted: true } task || lifetime.ApplicationStopping.IsCancellationRequested) return null;
        return task.IsFaulted ? $"failed: {task.Exception?.GetBaseException().Message}" : "ended";
    }
}

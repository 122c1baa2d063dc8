using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>Decides whether the pipeline is really healthy, for systemd's watchdog and the heartbeat output.</summary>
/// <remarks>Unhealthy when any long-running loop has ended while the host runs (a dead loop), or when a registered
/// progress check fails (for example a journal writer that has work queued but commits nothing).</remarks>
internal sealed class PipelineHealth(IServiceProvider provider)
{
    private readonly List<(string Name, Func<string?> Check)> _checks = [];

    // Resolved on first use: the hosted services themselves register checks while being built.
    private IHostedService[]? _services;

    /// <summary>Adds a check that returns a reason when unhealthy, or null.</summary>
    public void AddCheck(string name, Func<string?> check)
    {
        lock (_checks) _checks.Add((name, check));
    }

    /// <summary>Evaluates all checks. Returns null when healthy, else the first reason found.</summary>
    public string? FindProblem()
    {
        _services ??= [.. provider.GetServices<IHostedService>()];
        foreach (var service in _services)
        {
            if (service is BackgroundService { ExecuteTask: { IsCompleted: true } task })
            {
                return task.IsFaulted
                    ? $"{service.GetType().Name} failed: {task.Exception?.GetBaseException().Message}"
                    : $"{service.GetType().Name} stopped";
            }
        }
        lock (_checks)
        {
            foreach (var (name, check) in _checks)
            {
                string? problem;
                try
                {
                    problem = check();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    problem = e.Message;
                }
                if (problem is not null) return $"{name}: {problem}";
            }
        }
        return null;
    }
}

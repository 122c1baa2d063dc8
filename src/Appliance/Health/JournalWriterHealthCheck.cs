using Appliance.Bridge.Journal;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Health;

/// <summary>The journal writer: Unhealthy when its loop ended or when events wait and it neither commits nor tries to
/// (a stuck writer: a restart is the cure); Degraded while commits (each with its sync) fail and it retries
/// (a full disk or an I/O error: the events are held in memory, and a restart would lose them, so the watchdog must not fire).</summary>
internal sealed class JournalWriterHealthCheck(JournalWriter writer, IHostApplicationLifetime lifetime, TimeProvider time,
    TimeSpan? stuckAfter = null) : IHealthCheck
{
    /// <summary>How long events may wait with no commit and no attempt before the writer counts as stuck (beyond any
    /// retry delay it announced).</summary>
    public static readonly TimeSpan DefaultStuckAfter = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _stuckAfter = stuckAfter ?? DefaultStuckAfter;
    private readonly Lock _gate = new();
    private long _lastProgress = -1;
    private long _since = time.GetTimestamp();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        if (ServiceLoop.EndedEarly(writer, lifetime) is { } ended) return HealthCheckResult.Unhealthy($"journal writer {ended}");
        var counters = writer.Counters;
        long waiting = writer.Queued + counters.PendingRows;
        long progress = counters.Batches + counters.Errors;
        TimeSpan stalled;
        lock (_gate)
        {
            if (progress != _lastProgress || waiting == 0)
            {
                _lastProgress = progress;
                _since = time.GetTimestamp();
            }
            stalled = time.GetElapsedTime(_since);
        }
        if (waiting > 0 && stalled > _stuckAfter + counters.RetryDelay)
        {
            return HealthCheckResult.Unhealthy($"journal writer stuck: {waiting} events waiting, nothing committed or attempted for {stalled.TotalSeconds:0} s");
        }
        if (counters.PendingRows > 0)
        {
            return HealthCheckResult.Degraded($"journal cannot write ({counters.LastError}); {waiting} events held in memory, retrying");
        }
        return HealthCheckResult.Healthy($"{counters.Rows} events journaled");
    }
}

using Appliance.Bridge.Journal.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Runs <see cref="JournalRetention"/> every <see cref="JournalOptions.RetentionInterval"/>; a failed pass is logged and retried next time.</summary>
public sealed partial class JournalRetentionService : BackgroundService
{
    private static readonly TimeSpan BacklogPause = TimeSpan.FromMilliseconds(100);
    private readonly JournalRetention _retention;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    public JournalRetentionService(EventJournal journal, JournalOptions options,
        ILogger<JournalRetentionService>? logger = null, TimeProvider? timeProvider = null)
    {
        _retention = new JournalRetention(journal, options, timeProvider);
        _interval = options.RetentionInterval;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<JournalRetentionService>.Instance;
    }

    private long _passes;

    /// <summary>Passes completed since start.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                long pruned = _retention.RunOnce();
                if (pruned > 0) LogPruned(pruned);
            }
            catch (Exception e) when (e is SqliteException or IOException)
            {
                LogFailed(e);
            }
            Interlocked.Increment(ref _passes);
        }
        while (await WaitAsync(timer, _retention.BacklogRemains, stoppingToken).ConfigureAwait(false));
    }

    // A backlog larger than one pass (a long outage, a lowered limit) is worked off in quick successive passes,
    // each a bounded number of short transactions, instead of one pass per interval.
    private async Task<bool> WaitAsync(PeriodicTimer timer, bool backlog, CancellationToken cancellationToken)
    {
        try
        {
            if (backlog)
            {
                await Task.Delay(BacklogPause, _time, cancellationToken).ConfigureAwait(false);
                return true;
            }
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal retention pruned {Count} rows")]
    private partial void LogPruned(long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal retention pass failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}

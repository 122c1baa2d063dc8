using Appliance.Bridge.Journal.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Copies the journal's write-ahead log into the database file on its own connection, off the commit path:
/// when <see cref="JournalOptions.CheckpointWalBytes"/> of WAL have been appended since the last checkpoint, or
/// <see cref="JournalOptions.CheckpointMaxDelay"/> after a commit when the WAL grows slowly.</summary>
/// <remarks>SQLite's own automatic checkpoint runs inside COMMIT on the writer's thread, fsyncs included; the journal
/// turns it off, so without this service the writer checkpoints by itself only when the WAL reaches four times the
/// threshold. Checkpoints are PASSIVE (they never block the writer); when readers kept one from copying everything and
/// the WAL has reached that limit, a RESTART follows so the WAL starts over from its beginning.</remarks>
public sealed partial class JournalCheckpointer : BackgroundService
{
    // RESTART waits for readers with the busy handler and holds off the writer meanwhile: keep that wait short.
    private static readonly TimeSpan RestartBusyTimeout = TimeSpan.FromMilliseconds(100);

    private readonly SqliteConnection _connection;
    private readonly JournalWalFrames _frames;
    private readonly TimeSpan _maxDelay;
    private readonly int _restartFrames;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _checkpoints;
    private long _restarts;
    private long _failures;
    private long _lastLogFrames;

    /// <summary>Opens the checkpoint connection; checkpoints start when the host starts the service.</summary>
    /// <param name="journal">The journal, opened for writing with <see cref="EventJournal.Open"/>.</param>
    /// <param name="options">The options the journal was opened with (checkpoint threshold and delay, synchronous level).</param>
    /// <param name="logger">Where failed checkpoints are reported.</param>
    /// <param name="timeProvider">Time for <see cref="JournalOptions.CheckpointMaxDelay"/>; <see cref="TimeProvider.System"/> when null.</param>
    public JournalCheckpointer(EventJournal journal, JournalOptions options, ILogger<JournalCheckpointer>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var writer = journal.Writer;
        _frames = writer.WalFrames;
        _maxDelay = options.CheckpointMaxDelay;
        _restartFrames = (int)Math.Min(int.MaxValue, options.CheckpointWalBytes * JournalWriteStore.WalLimitFactor / writer.PageSize);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<JournalCheckpointer>.Instance;
        _connection = SqliteConnection.Open(journal.Path, create: false);
        try
        {
            _connection.SetBusyTimeout(RestartBusyTimeout);
            // A checkpoint fsyncs the WAL before copying and the database after, at NORMAL and FULL alike.
            _connection.Execute(JournalWriteStore.SynchronousPragma(options.Synchronous == JournalSynchronous.Full));
            _connection.Execute($"PRAGMA journal_size_limit = {options.CheckpointWalBytes * JournalWriteStore.WalLimitFactor}");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Checkpoints run (PASSIVE ones; a RESTART counts again in <see cref="Restarts"/>).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>RESTART checkpoints run because readers had kept the WAL from starting over.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Checkpoints that failed (logged; the next one tries again).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Frames the WAL held at the last checkpoint.</summary>
    public long LastWalFrames => Interlocked.Read(ref _lastLogFrames);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _frames.WaitAsync(1, stoppingToken).ConfigureAwait(false);
                await WaitForThresholdOrDelayAsync(stoppingToken).ConfigureAwait(false);
                RunOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; closing the last connection checkpoints what is left.
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _connection.Dispose();
    }

    /// <summary>Runs one checkpoint now, on the calling thread.</summary>
    internal void RunOnce()
    {
        _frames.Take();
        try
        {
            var result = _connection.Checkpoint(SqliteCheckpointMode.Passive);
            Interlocked.Increment(ref _checkpoints);
            if (!result.Complete && result.LogFrames >= _restartFrames)
            {
                result = _connection.Checkpoint(SqliteCheckpointMode.Restart);
                Interlocked.Increment(ref _restarts);
                if (result.Busy) LogRestartBusy(result.LogFrames);
            }
            Interlocked.Exchange(ref _lastLogFrames, result.LogFrames);
        }
        catch (SqliteException e)
        {
            Interlocked.Increment(ref _failures);
            LogFailed(e);
        }
    }

    private async Task WaitForThresholdOrDelayAsync(CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var full = _frames.WaitAsync(0, window.Token);
        var delay = Task.Delay(_maxDelay, _time, window.Token);
        await Task.WhenAny(full, delay).ConfigureAwait(false);
        await window.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal checkpoint failed; the next commit retries it")]
    private partial void LogFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal WAL of {Frames} frames could not restart: a reader held it past the busy timeout")]
    private partial void LogRestartBusy(int frames);
}

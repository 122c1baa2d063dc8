using Appliance.Bridge.Journal.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Copies the journal's write-ahead log into the database file on its own connection, off the commit path:
/// when <see cref="JournalOptions.CheckpointWalBytes"/> of WAL have been appended since the last checkpoint, or
/// <see cref="JournalOptions.CheckpointMaxDelay"/> after a commit when the WAL grows slowly.</summary>
/// <remarks>SQLite's own automatic checkpoint runs inside COMMIT on the writer's thread, fsyncs included; the journal
/// turns it off. Checkpoints here are PASSIVE: they never block the writer, and copy most of the WAL off the commit
/// path. Under a steady flood a PASSIVE checkpoint always overlaps a commit, so the WAL never finds itself fully copied
/// and never starts over: when it reaches four times the threshold the writer runs a RESTART checkpoint between two
/// transactions (only the last frames are left to copy), and this service stays out of its way until it has.</remarks>
public sealed partial class JournalCheckpointer : BackgroundService
{
    private static readonly TimeSpan SkipPause = TimeSpan.FromMilliseconds(5);

    private readonly SqliteConnection _connection;
    private readonly JournalWalFrames _frames;
    private readonly TimeSpan _maxDelay;
    private readonly int _writerRestartFrames;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _checkpoints;
    private long _skipped;
    private long _failures;
    private long _lastLogFrames;
    private bool _skippedLast;

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
        _writerRestartFrames = writer.WalFrameLimit;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<JournalCheckpointer>.Instance;
        _connection = SqliteConnection.Open(journal.Path, create: false);
        try
        {
            _connection.SetBusyTimeout(TimeSpan.FromSeconds(1));
            // A checkpoint fsyncs the WAL before copying and the database after, at NORMAL and FULL alike.
            _connection.Execute(JournalWriteStore.SynchronousPragma(options.Synchronous == JournalSynchronous.Full));
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>Checkpoints run.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Checkpoints skipped because the WAL had reached its limit and the writer was about to restart it.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

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
                // Skipped: give the writer's next commit a moment to restart the WAL (a flood commits every few ms).
                if (!RunOnce()) await Task.Delay(SkipPause, _time, stoppingToken).ConfigureAwait(false);
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

    /// <summary>Runs one checkpoint now, on the calling thread; false when it skipped its turn for the writer.</summary>
    internal bool RunOnce()
    {
        // A checkpoint in progress makes the writer's RESTART fail at once (SQLITE_BUSY, no busy handler). Only one turn
        // is skipped: if no commit came to restart the WAL meanwhile, copy it here, so it still reaches the disk in time.
        if (_frames.LogFrames >= _writerRestartFrames && !_skippedLast)
        {
            _skippedLast = true;
            Interlocked.Increment(ref _skipped);
            return false;
        }
        _skippedLast = false;
        _frames.Take();
        try
        {
            var result = _connection.Checkpoint(SqliteCheckpointMode.Passive);
            Interlocked.Increment(ref _checkpoints);
            Interlocked.Exchange(ref _lastLogFrames, result.LogFrames);
        }
        catch (SqliteException e)
        {
            Interlocked.Increment(ref _failures);
            LogFailed(e);
        }
        return true;
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
}

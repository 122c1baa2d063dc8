using Appliance.Bridge.Journal.Sqlite;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Journal;

/// <summary>Copies the journal's write-ahead log into the database file on its own connection, off the commit path:
/// when <see cref="JournalOptions.CheckpointWalBytes"/> of WAL have been appended since the last checkpoint, or
/// <see cref="JournalOptions.CheckpointMaxDelay"/> after a commit when the WAL grows slowly.</summary>
/// <remarks>SQLite's own automatic checkpoint runs inside COMMIT on the writer's thread, fsyncs included; the journal
/// turns it off. Checkpoints here are PASSIVE: they never block the writer, and copy the WAL off the commit path.
/// The WAL starts over from its beginning only at a transaction that begins while every frame is copied. Under a
/// flood a checkpoint overlaps commits, so once the WAL holds twice the threshold, after a checkpoint that left frames behind this service runs short catch-up
/// checkpoints, each started just after a commit, while the writer fills its next batch: one that ends before the
/// next transaction begins lets that transaction restart the WAL, and the writer never waits. Should they all lose the
/// race, the writer runs a RESTART checkpoint itself when the WAL reaches four times the threshold, and this service
/// stays out of its way until it has.</remarks>
public sealed partial class JournalCheckpointer : BackgroundService
{
    private static readonly TimeSpan SkipPause = TimeSpan.FromMilliseconds(5);

    // Catch-up checkpoints after one that left frames behind; each copies about one commit's frames.
    private const int CatchUpRounds = 4;

    private readonly SqliteConnection _connection;
    private readonly JournalWalFrames _frames;
    private readonly TimeSpan _maxDelay;
    private readonly int _writerRestartFrames;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _checkpoints;
    private long _catchUps;
    private long _skipped;
    private long _failures;
    private long _lastLogFrames;
    private bool _skippedLast;
    private bool _nextTransactionRestartsWal;

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

    /// <summary>Of <see cref="Checkpoints"/>, the catch-up checkpoints run after one that frames were appended during.</summary>
    public long CatchUps => Interlocked.Read(ref _catchUps);

    /// <summary>Checkpoints skipped because the WAL had reached its limit and the writer was about to restart it.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Checkpoints that failed (logged; the next one tries again).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Frames the WAL held at the last checkpoint.</summary>
    public long LastWalFrames => Interlocked.Read(ref _lastLogFrames);

    /// <inheritdoc />
    /// <remarks>Runs on a thread of its own: a checkpoint blocks for its copying and fsyncs, which on the thread pool
    /// would hold up every other continuation of the process meanwhile.</remarks>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        DedicatedThread.Run("journal checkpointer", () => Run(stoppingToken));

    private void Run(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                _frames.WaitAsync(1, stoppingToken).GetAwaiter().GetResult();
                WaitForThresholdOrDelay(stoppingToken);
                // Skipped: give the writer's next commit a moment to restart the WAL (a flood commits every few ms).
                if (!RunOnce()) Task.Delay(SkipPause, _time, stoppingToken).GetAwaiter().GetResult();
                else if (_frames.LogFrames >= _writerRestartFrames / 2) CatchUp(stoppingToken);
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

    // Until a checkpoint ends with every frame copied and no commit since, so the next transaction restarts the WAL.
    // Each round starts right after a commit: the writer is then filling its next batch, the widest gap there is.
    // Only once the WAL holds half the writer's limit: each round copies pages the next checkpoint would copy again
    // (a flood of 64 VMs rewrites over a hundred pages per commit), so rounds after every checkpoint cost a third more
    // bytes written and twice the CPU per event.
    private void CatchUp(CancellationToken cancellationToken)
    {
        for (int round = 0; round < CatchUpRounds; round++)
        {
            var nextCommit = _frames.NextCommit();
            if (_nextTransactionRestartsWal) return;
            // A commit during the last checkpoint, then silence: copy the rest without waiting for another.
            DedicatedThread.WaitForFirst(_ => nextCommit, SkipPause, _time, cancellationToken);
            if (!RunOnce()) return;
            Interlocked.Increment(ref _catchUps);
        }
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
        long transactions = _frames.Transactions;
        try
        {
            var result = _connection.Checkpoint(SqliteCheckpointMode.Passive);
            // Every frame copied, and no transaction open or begun meanwhile: the next one restarts the WAL.
            _nextTransactionRestartsWal = result.Complete && transactions % 2 == 0 && _frames.Transactions == transactions;
            Interlocked.Increment(ref _checkpoints);
            Interlocked.Exchange(ref _lastLogFrames, result.LogFrames);
        }
        catch (SqliteException e)
        {
            _nextTransactionRestartsWal = false;
            Interlocked.Increment(ref _failures);
            LogFailed(e);
        }
        return true;
    }

    private void WaitForThresholdOrDelay(CancellationToken cancellationToken) =>
        DedicatedThread.WaitForFirst(window => _frames.WaitAsync(0, window), _maxDelay, _time, cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal checkpoint failed; the next commit retries it")]
    private partial void LogFailed(Exception exception);
}

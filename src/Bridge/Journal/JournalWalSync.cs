using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Bridge.Journal;

/// <summary>With <see cref="JournalSynchronous.Normal"/>, makes commits holding critical events durable: an fsync of
/// the journal's write-ahead log (<c>journal.db-wal</c>) on a thread of its own, after the commit, so the commit is
/// visible to readers at once and the writer goes on with the next batch while the disk catches up.</summary>
/// <remarks>
/// <para>Why not <c>synchronous = FULL</c> for the critical commit, as before session 8: SQLite then fsyncs inside
/// COMMIT, so the row became visible (and the writer free) only after the disk answered, p99 6.6 to 8.4 ms at
/// 100,000 events/s here. An fsync of the whole file afterwards covers the same frames: everything committed before it
/// began, whatever transaction wrote it. Frames a checkpoint has already copied are on disk in the database file (a
/// checkpoint syncs it), so a WAL restarted meanwhile loses nothing either.</para>
/// <para>Requests coalesce: one fsync covers every commit requested before it began. After it, <c>synced</c> gets the
/// highest critical-log number covered: the critical log may then reuse those records' space.
/// A failed fsync (an I/O error) is logged, counted and retried with backoff; the records stay in the critical log until
/// a later fsync succeeds.</para>
/// <para>SQLite holds no POSIX locks on the <c>-wal</c> file (WAL locks live in <c>-shm</c>), so a descriptor of our own
/// on it cannot release one of SQLite's when it closes.</para>
/// </remarks>
internal sealed partial class JournalWalSync : IDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly string _walPath;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JournalWriterCounters _counters;
    private readonly Action<long> _synced;
    private SafeFileHandle? _wal;
    private long _pendingNumber;
    private int _pendingCommits;
    private bool _queued;

    /// <param name="walPath">The journal's <c>-wal</c> file.</param>
    /// <param name="delay">How long a first request waits before its fsync, gathering the requests behind it
    /// (<see cref="TimeSpan.Zero"/>: at once; see <see cref="JournalOptions.FlushCriticalBatches"/>).</param>
    /// <param name="time">Time for the delay and the retry backoff.</param>
    /// <param name="logger">Where failed fsyncs are reported.</param>
    /// <param name="counters">Where fsyncs, the commits they covered, and failures are counted.</param>
    /// <param name="synced">Called after each successful fsync with the highest critical-log number it covered.</param>
    internal JournalWalSync(string walPath, TimeSpan delay, TimeProvider time, ILogger logger, JournalWriterCounters counters, Action<long> synced)
    {
        _walPath = walPath;
        _delay = delay;
        _time = time;
        _logger = logger;
        _counters = counters;
        _synced = synced;
    }

    /// <summary>Asks for an fsync covering a commit just made that holds critical events up to <paramref name="criticalNumber"/>.</summary>
    internal void Request(long criticalNumber) => AddPending(criticalNumber, commits: 1);

    /// <summary>Serves requests until <paramref name="stoppingToken"/> is cancelled; blocks the calling thread. What is
    /// requested and not synced at a stop is synced by SQLite's own checkpoint when the journal closes.</summary>
    internal void Run(CancellationToken stoppingToken)
    {
        var retry = new JournalRetryDelays();
        try
        {
            while (true)
            {
                _work.Wait(stoppingToken);
                if (_delay > TimeSpan.Zero) Task.Delay(_delay, _time, stoppingToken).GetAwaiter().GetResult();
                var (number, commits) = TakePending();
                if (TrySync(number, commits))
                {
                    retry.Reset();
                    continue;
                }
                Task.Delay(retry.Current, _time, stoppingToken).GetAwaiter().GetResult();
                retry.Grow();
                AddPending(number, commits);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private (long Number, int Commits) TakePending()
    {
        lock (_gate)
        {
            var taken = (_pendingNumber, _pendingCommits);
            _pendingNumber = 0;
            _pendingCommits = 0;
            _queued = false;
            return taken;
        }
    }

    // One release per wake-up: the semaphore's count stays at most 1, whatever the number of requests.
    private void AddPending(long number, int commits)
    {
        lock (_gate)
        {
            _pendingNumber = Math.Max(_pendingNumber, number);
            _pendingCommits += commits;
            if (_queued) return;
            _queued = true;
        }
        _work.Release();
    }

    private bool TrySync(long number, int commits)
    {
        long start = _time.GetTimestamp();
        try
        {
            _wal ??= File.OpenHandle(_walPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.FlushToDisk(_wal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _counters.WalSyncFailed();
            LogSyncFailed(e, _walPath, commits);
            // A descriptor whose fsync failed may keep reporting the error (or hide it); the next try opens a new one.
            _wal?.Dispose();
            _wal = null;
            return false;
        }
        _counters.WalSynced(commits, _time.GetElapsedTime(start));
        _synced(number);
        return true;
    }

    public void Dispose()
    {
        _wal?.Dispose();
        _work.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Journal: fsync of '{Path}' failed; the {Commits} commits holding critical events it covers are not known to be on disk yet (their critical-log records are kept), retrying")]
    private partial void LogSyncFailed(Exception exception, string path, int commits);
}

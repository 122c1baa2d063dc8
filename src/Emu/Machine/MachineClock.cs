using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Machine;

/// <summary>The machine's timers: every callback runs under the machine lock, and every timer dies with the machine,
/// so a VM costs no timer while nothing is scheduled.</summary>
internal sealed class MachineClock(TimeProvider time, object gate, ILogger logger)
{
    private readonly HashSet<ScheduledAction> _live = [];
    private bool _stopped;

    public TimeProvider Time => time;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Runs <paramref name="action"/> once after <paramref name="delay"/>. Call with the machine lock held.</summary>
    public ScheduledAction After(TimeSpan delay, Action action) => Start(action, delay, Timeout.InfiniteTimeSpan);

    /// <summary>Runs <paramref name="action"/> every <paramref name="period"/> until cancelled. Call with the machine lock held.</summary>
    public ScheduledAction Every(TimeSpan period, Action action) => Start(action, period, period);

    private ScheduledAction Start(Action action, TimeSpan due, TimeSpan period)
    {
        var scheduled = new ScheduledAction(this, action, period != Timeout.InfiniteTimeSpan);
        if (_stopped) return scheduled;
        _live.Add(scheduled);
        // A zero delay means "once the caller has released the machine lock" (a command's reply goes out first), as
        // a pool timer runs it. A fake clock fires a zero due time inline, under the lock; one tick it fires on its
        // next advance, and the system clock rounds it down to zero.
        if (due == TimeSpan.Zero) due = TimeSpan.FromTicks(1);
        scheduled.Timer = time.CreateTimer(static s => ((ScheduledAction)s!).Fire(), scheduled, due, period);
        return scheduled;
    }

    /// <summary>Cancels every timer; later schedules do nothing. Call with the machine lock held.</summary>
    public void StopAll()
    {
        _stopped = true;
        foreach (var s in _live) s.Timer?.Dispose();
        _live.Clear();
    }

    internal sealed class ScheduledAction(MachineClock clock, Action action, bool periodic)
    {
        public ITimer? Timer { get; set; }

        public bool IsActive { get; private set; } = true;

        public void Cancel()
        {
            IsActive = false;
            Timer?.Dispose();
            clock._live.Remove(this);
        }

        public void Fire()
        {
            lock (clock._gate)
            {
                if (!IsActive || clock._stopped) return;
                if (!periodic) Cancel();
                try
                {
                    action();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    clock.LogTimerFailure(e);
                }
            }
        }
    }

    private readonly object _gate = gate;

    private void LogTimerFailure(Exception e) => logger.LogError(e, "emulated machine timer failed");
}

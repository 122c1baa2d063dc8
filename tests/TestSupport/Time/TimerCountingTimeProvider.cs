using Microsoft.Extensions.Time.Testing;

namespace Appliance.TestSupport.Time;

/// <summary>A <see cref="FakeTimeProvider"/> that also counts its armed timers, so a test can wait until the code
/// under test has scheduled its next wake-up before it advances time (advancing first would move time past a timer
/// that does not exist yet).</summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly HashSet<CountedTimer> _armed = [];

    /// <summary>Starts at <see cref="FakeTimeProvider"/>'s default start (2000-01-01T00:00:00Z).</summary>
    public TimerCountingTimeProvider()
    {
    }

    /// <summary>Starts at <paramref name="start"/>.</summary>
    public TimerCountingTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Timers that will fire if time moves far enough: created or changed with a finite due time, not yet
    /// fired (one-shot), not disposed.</summary>
    public int ArmedTimers
    {
        get { lock (_armed) return _armed.Count; }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var counted = new CountedTimer(this, callback, state);
        counted.Track(dueTime, period);
        counted.Inner = base.CreateTimer(static s => ((CountedTimer)s!).Fire(), counted, dueTime, period);
        return counted;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _periodic;

        public ITimer? Inner { get; set; }

        /// <summary>Records whether the timer is armed; called before the fake sees the change, because a zero due
        /// time fires inside that call.</summary>
        public void Track(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._armed)
            {
                _periodic = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan;
                if (dueTime >= TimeSpan.Zero) owner._armed.Add(this);
                else owner._armed.Remove(this);
            }
        }

        public void Fire()
        {
            lock (owner._armed)
            {
                if (!_periodic) owner._armed.Remove(this);
            }
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Track(dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._armed) owner._armed.Remove(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

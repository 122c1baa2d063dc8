using System.Collections.Concurrent;

namespace Appliance.Bridge.Mqtt;

/// <summary>Counts, per event, how often the broker refused it: a PUBACK with a failure reason code, or a connection
/// that carried the event as the oldest unacknowledged one and ended without its PUBACK (a broker that drops the
/// connection instead of answering; the event would be sent again on every reconnect, for ever).
/// Thread-safe: PUBACKs and connection changes arrive on the network thread.</summary>
internal sealed class RejectionTracker(int maxRejections)
{
    private readonly ConcurrentDictionary<long, int> _counts = new();
    private int _sessionUp;

    /// <summary>Counts one more rejection of <paramref name="seq"/>; true when that is one too many (quarantine it).</summary>
    public bool Reject(long seq, out int times)
    {
        times = _counts.AddOrUpdate(seq, 1, (_, n) => n + 1);
        if (times < maxRejections) return false;
        _counts.TryRemove(seq, out _);
        return true;
    }

    /// <summary>The event was acknowledged or given up on: its count no longer matters.</summary>
    public void Forget(long seq) => _counts.TryRemove(seq, out _);

    /// <summary>A connection came up (CONNACK): everything in flight is sent again on it.</summary>
    public void SessionStarted() => Volatile.Write(ref _sessionUp, 1);

    /// <summary>A connection ended or was refused; true only for the end of one that had come up, so a refused
    /// connect or a broker that stays down does not count against the events waiting.</summary>
    public bool SessionEnded() => Interlocked.Exchange(ref _sessionUp, 0) == 1;
}

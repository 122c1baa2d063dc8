namespace Appliance.Qmp.Messages;

/// <summary>The <c>timestamp</c> member of a QMP event: host time when the event was emitted.</summary>
/// <param name="Seconds">Whole seconds since the Unix epoch.</param>
/// <param name="Microseconds">Microseconds within the second (0 to 999,999).</param>
public readonly record struct QmpTimestamp(long Seconds, long Microseconds)
{
    /// <summary>Converts a point in time to a QMP timestamp.</summary>
    public static QmpTimestamp FromDateTimeOffset(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return new QmpTimestamp(ticks / TimeSpan.TicksPerSecond, ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>The timestamp as a point in time (UTC).</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(Seconds * TimeSpan.TicksPerSecond + Microseconds * TimeSpan.TicksPerMicrosecond);

    /// <summary>Microseconds since the Unix epoch, convenient for ordering and storage.</summary>
    public long TotalMicroseconds => Seconds * 1_000_000 + Microseconds;
}

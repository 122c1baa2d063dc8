namespace Appliance.Bridge.Journal;

/// <summary>A running maximum that any thread may raise: the "longest so far" of the journal's counters.</summary>
internal static class InterlockedMaximum
{
    /// <summary>Sets <paramref name="target"/> to <paramref name="value"/> if that is larger, atomically.</summary>
    internal static void Raise(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) &&
               Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

namespace Appliance.TestSupport.Waiting;

/// <summary>Polls a condition the code under test reaches on its own (a counter, an armed timer, a file), with a
/// generous deadline (CI machines are slow and shared); never a fixed sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>Completes once <paramref name="condition"/> holds; throws a <see cref="TimeoutException"/> naming
    /// <paramref name="what"/> when it still does not after <paramref name="timeout"/> (20 s by default).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(poll ?? DefaultPoll);
        }
    }
}

using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Tests.Client;

/// <summary>Generous waits for a loaded CI machine: conditions are polled, never assumed after a fixed sleep.</summary>
internal static class TestWait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits until <paramref name="condition"/> holds, calling <paramref name="step"/> (for example to move
    /// virtual time) between polls; fails naming <paramref name="what"/> after 30 s.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Action? step = null, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what} {detail?.Invoke()}");
            step?.Invoke();
            await Task.Delay(10);
        }
    }

    /// <summary>The next event from a subscription, within 30 s.</summary>
    public static async Task<VmEvent> NextAsync(this EventSubscription subscription)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await subscription.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Reads events until one named <paramref name="name"/> arrives.</summary>
    public static async Task<VmEvent> NextNamedAsync(this EventSubscription subscription, string name)
    {
        while (true)
        {
            var e = await subscription.NextAsync();
            if (e.Event.Name == name) return e;
        }
    }
}

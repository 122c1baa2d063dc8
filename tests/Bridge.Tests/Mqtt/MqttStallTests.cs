using Appliance.Bridge.Mqtt;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttStallTests
{
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_event_whose_PUBACK_never_comes_is_sent_again_once_the_stall_timeout_has_passed_while_connected()
    {
        await using var broker = new SilentBroker();
        var time = new FakeTimeProvider();
        await using var mirror = await MirrorHarness.StartAsync(
            MirrorHarness.OptionsFor(broker.Port, o => o.StallTimeout = StallTimeout), waitForConnect: false, timeProvider: time);
        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the mirror to connect to the silent broker");

        mirror.Journal.Append("vm1", "STOP", """{"event": "STOP"}""");
        await mirror.WaitAsync(() => EventCopies(broker).Length == 1, "the event to reach the broker");

        // Virtual time in steps; the mirror may schedule its stall check at any point, so step until it fires.
        var waited = TimeSpan.Zero;
        await mirror.WaitAsync(() =>
        {
            if (EventCopies(broker).Length >= 2) return true;
            time.Advance(TimeSpan.FromSeconds(5));
            waited += TimeSpan.FromSeconds(5);
            return false;
        }, "the event to be sent again");

        Assert.True(waited >= StallTimeout, $"sent again after {waited} of virtual time, before the stall timeout {StallTimeout}");
        var copies = EventCopies(broker);
        Assert.Equal(copies[0].Payload, copies[1].Payload);
        Assert.Contains(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains("no PUBACK for seq 1 in a long time while connected; sending 1 pending events again", StringComparison.Ordinal));
        Assert.Equal(0, mirror.Journal.GetCursor("mqtt"));
        await StopOnVirtualTimeAsync(mirror, time);
    }

    /// <summary>Stopping waits (on the mirror's clock) for the PUBACK of "offline", which never comes here.</summary>
    private static async Task StopOnVirtualTimeAsync(MirrorHarness mirror, FakeTimeProvider time)
    {
        var stopping = mirror.StopAsync();
        while (!stopping.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(stopping, Task.Delay(50));
        }
        await stopping;
    }

    [Fact]
    public void A_stall_timeout_under_one_second_is_refused_naming_the_setting()
    {
        var options = MirrorHarness.OptionsFor(1883, o => o.StallTimeout = TimeSpan.FromMilliseconds(10));

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("StallTimeout", error.Message, StringComparison.Ordinal);
    }

    private static (string Topic, byte[] Payload)[] EventCopies(SilentBroker broker) =>
        [.. broker.Published.Where(p => p.Topic == "appliance/box1/vm/vm1/event/STOP")];
}

using System.Diagnostics;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttReconnectTests
{
    [Fact]
    public async Task After_a_long_outage_the_first_reconnect_comes_within_the_reconnect_delay_plus_a_second()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var options = MirrorHarness.OptionsFor(broker.Port, o =>
        {
            o.Broker.ReconnectDelay = TimeSpan.FromSeconds(1);
            o.Broker.ReconnectDelayMax = TimeSpan.FromSeconds(60);
        });
        await using var mirror = await MirrorHarness.StartAsync(options);
        await broker.StopAsync();
        await mirror.WaitAsync(() => !mirror.Mirror.IsConnected, "the outage to be noticed");
        // Long enough for a back-off doubling from 1 s to have grown past 8 s.
        await Task.Delay(TimeSpan.FromSeconds(8));

        await broker.RestartAsync();
        var back = Stopwatch.StartNew();
        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the reconnect");

        Assert.InRange(back.Elapsed, TimeSpan.Zero, options.Broker.ReconnectDelay + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_clean_stop_sends_disconnect_and_offline_without_a_lost_connection_warning()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));

        await mirror.StopAsync();

        Assert.DoesNotContain(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains("connection lost", StringComparison.Ordinal));
        Assert.Contains(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains("MQTT mirror stopped", StringComparison.Ordinal));
        await mirror.WaitAsync(() => File.ReadAllText(broker.LogFile).Contains($"Client {mirror.Options.Broker.ClientId} disconnected.", StringComparison.Ordinal),
            "the broker to log a clean DISCONNECT");
        using var status = await MqttProbe.StartAsync(broker.Port, "appliance/box1/status");
        Assert.Equal("offline", MqttProbe.Text(await status.NextOnAsync("appliance/box1/status")));
    }
}

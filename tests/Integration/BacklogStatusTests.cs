using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Status;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary><c>appliance status</c>'s MQTT backlog: how many events wait for the broker and how old the oldest is.</summary>
public sealed class BacklogStatusTests
{
    [Fact]
    public async Task Status_shows_the_backlog_and_the_age_of_its_oldest_event_while_the_broker_is_down_and_clears_after()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var appliance = await ApplianceUnderTest.StartAsync(broker.Port, new Dictionary<string, string?> { ["Emulator:Vms:0:Name"] = "vm1" });
        var board = appliance.Get<VmStatusBoard>();
        await Eventually.TrueAsync(() => board.Get("vm1") is { Monitor: MonitorState.Running, RunStatus: "running" }, "vm1 running");
        await Eventually.TrueAsync(() => Mqtt(appliance).GetProperty("backlog").GetInt64() == 0, "the startup events delivered");

        await broker.StopAsync();
        await Eventually.TrueAsync(() => Mqtt(appliance).GetProperty("link").GetString() == "disconnected", "the mirror to notice the outage");
        Assert.IsType<QmpReturn>(await appliance.Get<IVmCommandGateway>().ExecuteAsync("vm1", "stop", default, CancellationToken.None));

        await Eventually.TrueAsync(() => Mqtt(appliance).GetProperty("backlog").GetInt64() >= 1, "the STOP event waiting for the broker");
        await Eventually.TrueAsync(() => Mqtt(appliance).GetProperty("backlog-age-seconds").GetDouble() > 0.2, "the oldest waiting event ageing");
        await broker.RestartAsync();
        await Eventually.TrueAsync(() => Mqtt(appliance).GetProperty("backlog").GetInt64() == 0, "the backlog delivered");
        var mqtt = Mqtt(appliance);
        Assert.Equal(0, mqtt.GetProperty("backlog-age-seconds").GetDouble());
        Assert.Equal(0, mqtt.GetProperty("skipped-backlog-limit").GetInt64());
    }

    private static JsonElement Mqtt(ApplianceUnderTest app)
    {
        using var doc = JsonDocument.Parse(app.Get<StatusDocument>().Build());
        return doc.RootElement.GetProperty("mqtt").Clone();
    }
}

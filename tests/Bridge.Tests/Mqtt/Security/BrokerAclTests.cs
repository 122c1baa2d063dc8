using Appliance.Bridge.Mqtt;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt.Security;

/// <summary>The mosquitto ACL docs/mqtt.md gives, on a real mosquitto: a dashboard can send commands to its box and
/// read the replies, and cannot publish anything the box's consumers trust.</summary>
public sealed class BrokerAclTests
{
    private static readonly (string User, string Password) Appliance = ("appliance-box1", "pw-appliance");
    private static readonly (string User, string Password) Dashboard = ("dashboard-box1", "pw-dashboard");

    /// <summary>The ACL exactly as the documentation shows it.</summary>
    private static string DocumentedAcl()
    {
        string doc = File.ReadAllText(RepoPaths.File("docs/mqtt.md"));
        int user = doc.IndexOf("user dashboard-box1", StringComparison.Ordinal);
        int start = doc.LastIndexOf("```\n", user, StringComparison.Ordinal) + 4;
        return doc[start..doc.IndexOf("```", user, StringComparison.Ordinal)];
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V5)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task A_dashboard_sends_commands_and_reads_replies_but_cannot_forge_an_event(MqttProtocolVersion protocol)
    {
        // The test probes announce themselves on probe/{client id}/ready; that line is the only addition.
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions
        {
            Credentials = Appliance,
            MoreUsers = [Dashboard],
            Acl = "pattern readwrite probe/%c/ready\n" + DocumentedAcl(),
        });
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("mqtt.pw"), Appliance.Password);
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o =>
        {
            o.Broker.Protocol = protocol;
            o.Broker.Username = Appliance.User;
            o.Broker.PasswordFile = dir.File("mqtt.pw");
        }), waitForConnect: false);
        using var consumer = await MqttProbe.StartAsync(broker.Port, protocol, persistent: false, Appliance, "appliance/box1/#");
        await consumer.WaitUntilAsync(r => r.Any(m => m.Topic == "appliance/box1/status" && MqttProbe.Text(m) == "online"), "the mirror online");
        using var dashboard = await MqttProbe.StartAsync(broker.Port, protocol, persistent: false, Dashboard, "appliance/box1/reply/dashboard");

        dashboard.Connection.Publish("appliance/box1/vm/vm1/cmd", """{"execute":"stop","id":1,"reply-to":"appliance/box1/reply/dashboard"}"""u8, retain: false);

        Assert.Equal("""{"return":{},"id":1}""", MqttProbe.Text(await dashboard.NextOnAsync("appliance/box1/reply/dashboard")));
        Assert.Contains(("vm1", "stop", ""), mirror.Gateway.Executed);
        await consumer.NextOnAsync("appliance/box1/reply/dashboard");
        // The forgery goes last: mosquitto 2.0 answers a denied QoS 1 PUBLISH with PUBACK 0x87 and then closes the
        // connection, and the MQTT client does not re-send what was in flight on it.
        dashboard.Connection.Publish("appliance/box1/vm/vm1/event/WATCHDOG", """{"event":"WATCHDOG","data":{"action":"reset"}}"""u8, retain: false);
        await mirror.WaitAsync(() => File.ReadAllText(broker.LogFile).Contains("Denied PUBLISH from probe-", StringComparison.Ordinal), "the broker to deny the forged event");
        Assert.DoesNotContain(consumer.Received, m => m.Topic.Contains("/event/", StringComparison.Ordinal));
    }
}

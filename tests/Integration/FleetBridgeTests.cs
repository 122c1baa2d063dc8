using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>Fleets through the broker (docs/mqtt.md, "Fleets"): each box's own mosquitto bridges its prefix to one
/// central mosquitto that confines each box to its prefix with the documented ACL.</summary>
public sealed class FleetBridgeTests
{
    private static readonly (string User, string Password) Fleet = ("fleet", "pw-fleet");
    private static readonly (string User, string Password)[] Boxes = [("box1", "pw-box1"), ("box2", "pw-box2")];

    /// <summary>The central broker's ACL exactly as the documentation shows it.</summary>
    private static string DocumentedAcl()
    {
        string doc = File.ReadAllText(RepoPaths.File("docs/mqtt.md"));
        int pattern = doc.IndexOf("pattern write appliance/%u/#", StringComparison.Ordinal);
        int start = doc.LastIndexOf("```\n", pattern, StringComparison.Ordinal) + 4;
        return doc[start..doc.IndexOf("```", pattern, StringComparison.Ordinal)];
    }

    private static Task<MosquittoBroker> StartCentralAsync() => MosquittoBroker.StartAsync(new MosquittoBrokerOptions
    {
        Credentials = Fleet,
        MoreUsers = Boxes,
        // The test subscriber announces itself on probe/ready; that line is the only addition.
        Acl = "user fleet\ntopic readwrite probe/ready\n\n" + DocumentedAcl(),
    });

    [Fact]
    public async Task A_central_subscriber_sees_both_boxes_in_order_per_vm_across_a_central_restart()
    {
        await using var central = await StartCentralAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(central.Port, "appliance/+/vm/+/event/+", Fleet, clientId: "fleet-watch");
        await using var local1 = await StartLocalAsync(central, Boxes[0]);
        await using var local2 = await StartLocalAsync(central, Boxes[1]);
        await using var box1 = await StartApplianceAsync("box1", local1);
        await using var box2 = await StartApplianceAsync("box2", local2);
        ApplianceUnderTest[] boxes = [box1, box2];

        foreach (var box in boxes) await StopAndContinueAsync(box);
        foreach (string node in new[] { "box1", "box2" })
        {
            await subscriber.WaitForAsync(m => m.Topic == $"appliance/{node}/vm/vm1/event/RESUME", TimeSpan.FromSeconds(30));
        }

        await central.StopAsync();
        foreach (var box in boxes) await StopAndContinueAsync(box);
        foreach (var box in boxes)
        {
            // Both events reached the box's own broker while the central one was down.
            var mirror = box.Get<MqttMirror>();
            var journal = box.Get<IJournalReader>();
            await Eventually.TrueAsync(() => mirror.DeliveredThrough >= journal.LastCommittedSeq, "the box's broker acknowledged everything");
        }
        await central.RestartAsync();

        foreach (var (node, box) in new[] { ("box1", box1), ("box2", box2) })
        {
            var journaled = box.Get<IJournalReader>().Query(new JournalQuery(Vm: "vm1", Limit: 1000)).Select(r => r.Seq).ToArray();
            Assert.Equal(2, box.Get<IJournalReader>().Query(new JournalQuery(Vm: "vm1", Events: ["RESUME"])).Count);
            long[] seen = [];
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !journaled.All(seen.Contains))
            {
                await Task.Delay(100);
                seen = Seqs(subscriber, node);
            }
            Assert.True(journaled.All(seen.Contains), $"{node}: every journaled event of vm1 at the central broker; journal {string.Join(',', journaled)}, central {string.Join(',', seen)}");
            // In order: at-least-once may repeat a message, but never delivers an older one after a newer one.
            long[] firsts = [.. seen.Distinct()];
            Assert.True(firsts.Zip(firsts.Skip(1)).All(p => p.Second > p.First), $"{node}: in order per VM: {string.Join(',', seen)}");
        }
    }

    [Fact]
    public async Task A_box_cannot_publish_under_another_box_prefix()
    {
        await using var central = await StartCentralAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(central.Port, "appliance/#", Fleet);

        await PublishAsync(central.Port, Boxes[0], "appliance/box2/vm/vm1/event/WATCHDOG", "forged by box1");
        await PublishAsync(central.Port, Boxes[0], "appliance/box1/vm/vm1/event/WATCHDOG", "box1's own");
        await PublishAsync(central.Port, Boxes[1], "appliance/box2/vm/vm1/event/WATCHDOG", "box2's own");

        // Each publish was acknowledged before the next began, so the forged one would have arrived first.
        await subscriber.WaitForAsync(m => m.Payload == "box2's own", TimeSpan.FromSeconds(20));
        Assert.Equal(["box1's own", "box2's own"], subscriber.Messages.Where(m => m.Topic.StartsWith("appliance/", StringComparison.Ordinal)).Select(m => m.Payload));
        Assert.Contains("Denied PUBLISH from ", await File.ReadAllTextAsync(central.LogFile), StringComparison.Ordinal);
    }

    private static Task<MosquittoBroker> StartLocalAsync(MosquittoBroker central, (string User, string Password) box) =>
        MosquittoBroker.StartAsync(new MosquittoBrokerOptions
        {
            Bridge = new MosquittoBridge($"{box.User}-uplink", central.Port, $"appliance/{box.User}/#", box.User) { RemoteLogin = box },
        });

    private static async Task<ApplianceUnderTest> StartApplianceAsync(string node, MosquittoBroker local)
    {
        var box = await ApplianceUnderTest.StartAsync(local.Port, new Dictionary<string, string?>
        {
            ["Node"] = node,
            ["Mqtt:TopicPrefix"] = "appliance",
            ["Emulator:Vms:0:Name"] = "vm1",
        });
        var board = box.Get<VmStatusBoard>();
        await Eventually.TrueAsync(() => board.Get("vm1") is { Monitor: MonitorState.Running, RunStatus: "running" }, $"{node}: vm1 running");
        return box;
    }

    private static async Task StopAndContinueAsync(ApplianceUnderTest box)
    {
        var gateway = box.Get<IVmCommandGateway>();
        Assert.IsType<QmpReturn>(await gateway.ExecuteAsync("vm1", "stop", default, CancellationToken.None));
        Assert.IsType<QmpReturn>(await gateway.ExecuteAsync("vm1", "cont", default, CancellationToken.None));
    }

    /// <summary>The seq of every vm1 event of <paramref name="node"/> at the central broker, in arrival order.</summary>
    private static long[] Seqs(MosquittoSubscriber subscriber, string node) =>
        [.. subscriber.Messages.Where(m => m.Topic.StartsWith($"appliance/{node}/vm/vm1/event/", StringComparison.Ordinal))
            .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("seq").GetInt64())];

    private static async Task PublishAsync(int port, (string User, string Password) login, string topic, string message)
    {
        using var pub = Process.Start(MosquittoBroker.Executable("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-u", login.User, "-P", login.Password,
             "-i", login.User, "-q", "1", "-t", topic, "-m", message]);
        await pub.WaitForExitAsync();
    }
}

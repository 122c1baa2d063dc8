using System.Text;
using Appliance.Bridge.Mqtt;

namespace Appliance.Bridge.Tests.Mqtt.Security;

/// <summary>The command topic as a security boundary, end to end: real mosquitto, the mirror, the real monitor
/// registry, and an emulated VM or a real QEMU watched by an independent QMP observer that proves the VM received
/// nothing it should not have. Each case runs with MQTT 5 and MQTT 3.1.1.</summary>
public sealed class CommandSecurityTests
{
    public static TheoryData<VmKind, MqttProtocolVersion> Setups => new()
    {
        { VmKind.Emulated, MqttProtocolVersion.V5 },
        { VmKind.Emulated, MqttProtocolVersion.V311 },
        { VmKind.Qemu, MqttProtocolVersion.V5 },
        { VmKind.Qemu, MqttProtocolVersion.V311 },
    };

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task The_observer_sees_a_permitted_stop(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol);

        bed.Send("""{"execute": "stop", "id": 1}""");

        Assert.Equal("""{"return":{},"id":1}""", MqttProbe.Text(await bed.Sender.NextOnAsync(CommandBed.ReplyTopic)));
        Assert.Equal("paused", await bed.Vm.StatusAsync());
        Assert.Contains("STOP", bed.Vm.Events);
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task A_command_smuggled_after_a_newline_in_the_arguments_never_reaches_the_vm(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol);

        bed.Send("{\"execute\":\"cont\",\"arguments\":{\"x\":\n{\"execute\":\"x-guest-panic\"}\n}}");
        Assert.Equal(("GenericError", "Parameter 'x' is unexpected"), await bed.ErrorOnAsync());
        bed.Send("{\"execute\":\"query-status\",\"arguments\":{\"x\":\n{\"execute\":\"quit\"}\n}, \"id\": 2}");
        await bed.Sender.WaitUntilAsync(r => r.Count(m => m.Topic == CommandBed.ReplyTopic) == 2, "both refusals");

        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task A_narrowed_allowlist_refuses_a_default_command(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol, o => o.AllowedCommands = ["query-status"]);

        bed.Send("""{"execute": "stop"}""");
        Assert.Equal(("CommandNotFound", "The command stop is not allowed over MQTT"), await bed.ErrorOnAsync());
        bed.Send("""{"execute": "query-status", "id": "q"}""");
        await bed.Sender.WaitUntilAsync(r => r.Any(m => MqttProbe.Text(m).Contains("\"running\"", StringComparison.Ordinal)), "query-status answered");

        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task A_flood_past_a_full_queue_gets_every_command_answered_and_counted(VmKind kind, MqttProtocolVersion protocol)
    {
        const int Sent = 300;
        await using var bed = await CommandBed.StartAsync(kind, protocol, o =>
        {
            o.CommandQueueLength = 1;
            o.CommandsPerSecond = 0;
        });

        for (int i = 0; i < Sent; i++) bed.Send($$"""{"execute": "query-status", "id": {{i}}}""");

        await bed.Sender.WaitUntilAsync(r => r.Count(m => m.Topic == CommandBed.ReplyTopic) >= Sent, "a reply to every command");
        var replies = bed.Sender.Received.Where(m => m.Topic == CommandBed.ReplyTopic).Select(MqttProbe.Json).ToList();
        Assert.Equal(Enumerable.Range(0, Sent), replies.Select(r => r.GetProperty("id").GetInt32()).Order());
        int full = replies.Count(r => r.TryGetProperty("error", out var e) && e.GetProperty("desc").GetString() == "command queue full");
        Assert.InRange(full, 1, Sent - 1);
        Assert.Equal(full, bed.Mirror.Counters.CommandsQueueFull);
        Assert.Contains(bed.Log.Collector.GetSnapshot(), l => l.Message.Contains("MQTT command queue full", StringComparison.Ordinal));
        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task Commands_over_the_vms_rate_are_answered_queue_full_and_counted(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol, o =>
        {
            o.CommandsPerSecond = 0.1;
            o.CommandBurst = 2;
        });

        for (int i = 0; i < 10; i++) bed.Send($$"""{"execute": "query-status", "id": {{i}}}""");

        await bed.Sender.WaitUntilAsync(r => r.Count(m => m.Topic == CommandBed.ReplyTopic) >= 10, "a reply to every command");
        var limited = bed.Sender.Received.Select(MqttProbe.Json)
            .Where(r => r.TryGetProperty("error", out var e) && e.GetProperty("desc").GetString()!.StartsWith("command queue full: VM 'vm1' takes at most 0.1 commands per second", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(8, limited.Count);
        Assert.Equal(8, bed.Mirror.Counters.CommandsRateLimited);
        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task A_reply_topic_outside_the_reply_prefix_gets_nothing_and_the_command_does_not_run(VmKind kind, MqttProtocolVersion protocol)
    {
        const string EventTopic = "appliance/box1/vm/vm1/event/WATCHDOG";
        await using var bed = await CommandBed.StartAsync(kind, protocol, configure: null, EventTopic, CommandBed.OwnReplyTopic);

        bed.Send("""{"execute": "stop", "id": 9}""", EventTopic);

        Assert.Equal(("GenericError", $"Reply topic refused: the reply topic '{EventTopic}' is not under appliance/box1/reply/#"),
            await bed.ErrorOnAsync(CommandBed.OwnReplyTopic));
        Assert.DoesNotContain(bed.Sender.Received, m => m.Topic == EventTopic);
        Assert.Equal(1, bed.Mirror.Counters.ReplyTopicsRefused);
        Assert.Contains(bed.Log.Collector.GetSnapshot(), l => l.Message.Contains("nothing published on its reply topic", StringComparison.Ordinal));
        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task A_wildcard_reply_topic_is_refused_with_a_logged_counted_reason(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol);

        bed.Send("""{"execute": "stop"}""", "appliance/box1/reply/#");

        Assert.Equal(("GenericError", "Reply topic refused: the reply topic 'appliance/box1/reply/#' contains a wildcard"),
            await bed.ErrorOnAsync(CommandBed.OwnReplyTopic));
        Assert.Equal(1, bed.Mirror.Counters.ReplyTopicsRefused);
        Assert.Contains(bed.Log.Collector.GetSnapshot(), l => l.Message.Contains("contains a wildcard", StringComparison.Ordinal));
        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task An_oversized_command_is_refused_at_once_naming_the_limit(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol);
        byte[] payload = Encoding.UTF8.GetBytes("""{"execute": "stop", "arguments": {"pad": "%"}}""".Replace("%", new string('a', 1024 * 1024), StringComparison.Ordinal));

        bed.Send(payload);

        // Under MQTT 3.1.1 the reply-to inside an oversized payload is not read: the refusal goes to the VM's own reply topic.
        var (errorClass, desc) = await bed.ErrorOnAsync(protocol == MqttProtocolVersion.V5 ? CommandBed.ReplyTopic : CommandBed.OwnReplyTopic);
        Assert.Equal("GenericError", errorClass);
        Assert.Matches(@"^Command of \d+ bytes is over the limit of 16384 bytes$", desc);
        await bed.Vm.AssertUntouchedAsync();
    }

    [Theory]
    [MemberData(nameof(Setups))]
    public async Task An_unknown_argument_is_refused_before_the_vm(VmKind kind, MqttProtocolVersion protocol)
    {
        await using var bed = await CommandBed.StartAsync(kind, protocol);

        bed.Send("""{"execute": "stop", "arguments": {"force": true}}""");

        Assert.Equal(("GenericError", "Parameter 'force' is unexpected"), await bed.ErrorOnAsync());
        await bed.Vm.AssertUntouchedAsync();
    }
}

using System.Text;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttCommandTests
{
    private const string Reply = "appliance/box1/reply/test";

    [Fact]
    public async Task A_reply_carries_the_configured_mqtt5_message_expiry_so_a_requester_gone_for_longer_gets_no_stale_reply()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.CommandReplyExpiry = TimeSpan.FromSeconds(90)));
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/vm1/cmd", """{"execute": "query-status", "id": 7}"""u8, Reply, "c"u8);

        // The broker forwards the interval left, so at most what was set.
        Assert.InRange((await client.NextOnAsync(Reply)).MessageExpiry ?? 0, 80u, 90u);
    }

    [Fact]
    public async Task Allowed_command_runs_and_the_reply_goes_to_the_response_topic_with_the_correlation_data()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/vm1/cmd", """{"execute": "query-status", "id": 7}"""u8, Reply, "corr-1"u8);

        var reply = await client.NextOnAsync(Reply);
        Assert.Equal("""{"return":{"status": "running", "running": true},"id":7}""", MqttProbe.Text(reply));
        Assert.Equal("corr-1", Encoding.UTF8.GetString(reply.CorrelationData));
        Assert.Contains(("vm1", "query-status", ""), mirror.Gateway.Executed);
    }

    [Fact]
    public async Task Arguments_reach_the_vm_checked_and_freshly_serialized()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.AllowedCommands = ["watchdog-set-action"]));
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/vm2/cmd", "{\"execute\": \"watchdog-set-action\", \"arguments\": {\n\"action\" : \"pause\"}}"u8, Reply, "c"u8);

        Assert.Equal("""{"return":{}}""", MqttProbe.Text(await client.NextOnAsync(Reply)));
        Assert.Contains(("vm2", "watchdog-set-action", """{"action":"pause"}"""), mirror.Gateway.Executed);
    }

    [Theory]
    [InlineData("""{"execute": "quit", "id": 1}""", "CommandNotFound", "The command quit is not allowed over MQTT")]
    [InlineData("""{"execute": "stop""", "GenericError", "JSON parse error, invalid JSON syntax")]
    [InlineData("""[1, 2]""", "GenericError", "QMP input must be a JSON object")]
    [InlineData("""{"execute": 5}""", "GenericError", "QMP input member 'execute' must be a string")]
    [InlineData("""{"execute": "stop", "arguments": [1]}""", "GenericError", "QMP input member 'arguments' must be an object")]
    [InlineData("""{"execute": "stop", "extra": 1}""", "GenericError", "QMP input member 'extra' is unexpected")]
    [InlineData("""{"arguments": {}}""", "GenericError", "QMP input lacks member 'execute'")]
    public async Task Bad_or_disallowed_commands_get_an_error_reply_and_are_not_executed(string payload, string errorClass, string description)
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/vm1/cmd", Encoding.UTF8.GetBytes(payload), Reply, "c"u8);

        var error = MqttProbe.Json(await client.NextOnAsync(Reply)).GetProperty("error");
        Assert.Equal(errorClass, error.GetProperty("class").GetString());
        Assert.Equal(description, error.GetProperty("desc").GetString());
        Assert.Empty(mirror.Gateway.Executed);
    }

    [Fact]
    public async Task A_command_for_an_unknown_vm_gets_an_error_reply()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/nope/cmd", """{"execute": "stop"}"""u8, Reply, "c"u8);

        var error = MqttProbe.Json(await client.NextOnAsync(Reply)).GetProperty("error");
        Assert.Equal("No VM named 'nope'", error.GetProperty("desc").GetString());
        Assert.Empty(mirror.Gateway.Executed);
    }

    [Fact]
    public async Task A_gateway_failure_becomes_an_error_reply_and_later_commands_still_run()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        mirror.Gateway.ThrowOn = "system_powerdown";
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/vm1/cmd", """{"execute": "system_powerdown"}"""u8, Reply, "1"u8);
        client.Connection.PublishRequest("appliance/box1/vm/vm1/cmd", """{"execute": "cont"}"""u8, Reply, "2"u8);

        await client.WaitUntilAsync(r => r.Count >= 2, "two replies");
        var byCorrelation = client.Received.ToDictionary(m => Encoding.UTF8.GetString(m.CorrelationData), MqttProbe.Text);
        Assert.Equal("""{"error":{"class":"GenericError","desc":"Command failed: monitor socket broke"}}""", byCorrelation["1"]);
        Assert.Equal("""{"return":{}}""", byCorrelation["2"]);
    }

    [Fact]
    public async Task Acknowledge_command_acknowledges_the_vm_as_mqtt()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var acknowledger = new RecordingAcknowledger();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port), acknowledger: acknowledger);
        using var client = await MqttProbe.StartAsync(broker.Port, Reply);

        client.Connection.PublishRequest("appliance/box1/vm/vm2/cmd", """{"execute": "x-appliance-ack"}"""u8, Reply, "c"u8);

        Assert.Equal(("vm2", "mqtt"), await acknowledger.Requested.Task.WaitAsync(MqttProbe.Patience));
        Assert.Equal("""{"return":{}}""", MqttProbe.Text(await client.NextOnAsync(Reply)));
    }

    [Fact]
    public async Task Mqtt_311_commands_reply_on_the_payload_reply_to_topic()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port, o => o.Broker.Protocol = MqttProtocolVersion.V311));
        using var client = await MqttProbe.StartAsync(broker.Port, MqttProtocolVersion.V311, persistent: false, Reply);

        client.Connection.Publish("appliance/box1/vm/vm1/cmd", """{"execute": "cont", "id": "a", "reply-to": "appliance/box1/reply/test"}"""u8, retain: false);

        Assert.Equal("""{"return":{},"id":"a"}""", MqttProbe.Text(await client.NextOnAsync(Reply)));
        Assert.Contains(("vm1", "cont", ""), mirror.Gateway.Executed);
    }

    [Fact]
    public async Task Without_a_reply_topic_the_reply_goes_to_the_vms_cmd_reply_topic()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var mirror = await MirrorHarness.StartAsync(MirrorHarness.OptionsFor(broker.Port));
        using var client = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/vm1/cmd/reply");

        client.Connection.Publish("appliance/box1/vm/vm1/cmd", """{"execute": "system_reset"}"""u8, retain: false);

        Assert.Equal("""{"return":{}}""", MqttProbe.Text(await client.NextOnAsync("appliance/box1/vm/vm1/cmd/reply")));
    }

    private sealed class RecordingAcknowledger : IAlarmAcknowledger
    {
        public TaskCompletionSource<(string?, string)> Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IReadOnlyList<AcknowledgedAlarms>> AcknowledgeAsync(string? vm, string by, CancellationToken cancellationToken)
        {
            Requested.TrySetResult((vm, by));
            return Task.FromResult<IReadOnlyList<AcknowledgedAlarms>>([]);
        }
    }
}

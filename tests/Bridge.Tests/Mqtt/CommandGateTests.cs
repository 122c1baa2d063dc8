using System.Text;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Mqtt.Commands;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>What a command payload must pass before it may reach a monitor, and what reaches it.</summary>
public sealed class CommandGateTests
{
    private static readonly CommandGate Defaults = new(MqttMirrorOptions.DefaultAllowedCommands.Append("watchdog-set-action").Append("set_link"), 16 * 1024);

    private static CommandGate.Verdict Check(string payload, CommandGate? gate = null) => (gate ?? Defaults).Check(Encoding.UTF8.GetBytes(payload));

    private static string Arguments(CommandGate.Verdict verdict) => Encoding.UTF8.GetString(verdict.Command!.Arguments.Span);

    [Fact]
    public void A_command_smuggled_after_a_newline_inside_the_arguments_is_an_unexpected_parameter()
    {
        var verdict = Check("{\"execute\":\"cont\",\"arguments\":{\"x\":\n{\"execute\":\"x-guest-panic\"}\n}}");

        Assert.Null(verdict.Command);
        Assert.Equal("GenericError", verdict.ErrorClass);
        Assert.Equal("Parameter 'x' is unexpected", verdict.Error);
    }

    [Fact]
    public void Arguments_are_written_afresh_in_schema_order_without_the_senders_whitespace_or_escapes()
    {
        var verdict = Check("{\"execute\": \"set_link\", \"arguments\": {\n \"up\" :\r\n false, \"name\": \"n\\u0065t0\"}}");

        Assert.Equal("""{"name":"net0","up":false}""", Arguments(verdict));
    }

    [Fact]
    public void A_string_argument_holding_a_line_end_reaches_the_monitor_escaped()
    {
        var verdict = Check("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"a\\n{\\\"execute\\\":\\\"quit\\\"}\", \"up\": true}}");

        string written = Arguments(verdict);
        Assert.DoesNotContain('\n', written);
        Assert.Equal("""{"name":"a\n{\u0022execute\u0022:\u0022quit\u0022}","up":true}""", written);
    }

    [Fact]
    public void The_id_is_written_afresh_for_the_reply()
    {
        var verdict = Check("{\"execute\": \"stop\", \"id\": {\"n\" :\n [1, \"two\"]}}");

        Assert.Equal("""{"n":[1,"two"]}""", Encoding.UTF8.GetString(verdict.Command!.Id.Span));
        Assert.True(verdict.Command.Arguments.IsEmpty);
    }

    [Theory]
    [InlineData("""{"execute": "stop", "arguments": {"force": true}}""", "Parameter 'force' is unexpected")]
    [InlineData("""{"execute": "watchdog-set-action", "arguments": {}}""", "Parameter 'action' is missing")]
    [InlineData("""{"execute": "watchdog-set-action", "arguments": {"action": 1}}""", "Invalid parameter type for 'action', expected: string")]
    [InlineData("""{"execute": "watchdog-set-action", "arguments": {"action": "explode"}}""", "Parameter 'action' does not accept value 'explode'")]
    [InlineData("""{"execute": "set_link", "arguments": {"name": "n", "up": "yes"}}""", "Invalid parameter type for 'up', expected: boolean")]
    [InlineData("""{"execute": "set_link", "arguments": {"name": "n", "up": true, "up": false}}""", "JSON parse error, duplicate key 'up'")]
    [InlineData("""{"execute": "stop", "execute": "quit"}""", "JSON parse error, duplicate key 'execute'")]
    public void Unknown_or_wrongly_typed_arguments_are_refused_with_qemus_text(string payload, string error)
    {
        var verdict = Check(payload);

        Assert.Null(verdict.Command);
        Assert.Equal("GenericError", verdict.ErrorClass);
        Assert.Equal(error, verdict.Error);
    }

    [Fact]
    public void A_payload_over_the_size_limit_is_refused_naming_both_sizes()
    {
        string payload = """{"execute": "stop", "arguments": {"x": "%"}}""".Replace("%", new string('a', 20_000), StringComparison.Ordinal);

        var verdict = Check(payload);

        Assert.Equal($"Command of {payload.Length} bytes is over the limit of 16384 bytes", verdict.Error);
    }

    [Fact]
    public void Arguments_that_grow_over_the_limit_when_escaped_are_refused()
    {
        var gate = new CommandGate(["set_link"], 4096);
        string payload = """{"execute": "set_link", "arguments": {"name": "%", "up": true}}""".Replace("%", new string('<', 2000), StringComparison.Ordinal);

        Assert.Equal("Arguments of 12021 bytes once serialized are over the limit of 4096 bytes", Check(payload, gate).Error);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_and_the_id_recovered_so_far_is_kept()
    {
        var verdict = Check("""{"id": 5, "execute": "stop", "arguments": {"a": [[[[[[[[1]]]]]]]]}}""");

        Assert.Equal($"JSON parse error, nesting deeper than {MqttCommandParser.MaxDepth} levels", verdict.Error);
        Assert.Equal("5", Encoding.UTF8.GetString(verdict.Id.Span));
    }

    [Fact]
    public void A_command_off_the_allowlist_is_command_not_found_even_when_the_emulator_offers_it()
    {
        var verdict = Check("""{"execute": "x-guest-panic"}""");

        Assert.Equal("CommandNotFound", verdict.ErrorClass);
        Assert.Equal("The command x-guest-panic is not allowed over MQTT", verdict.Error);
    }

    [Fact]
    public void An_allowed_command_the_schema_does_not_list_takes_no_arguments()
    {
        var gate = new CommandGate(["human-monitor-command"], 4096);

        var verdict = Check("""{"execute": "human-monitor-command", "arguments": {"command-line": "quit"}}""", gate);

        Assert.Equal("Parameter 'command-line' is unexpected", verdict.Error);
    }

    [Fact]
    public void The_emulators_load_generator_takes_its_count_once_named_in_the_allowlist()
    {
        Assert.Equal("CommandNotFound", Check("""{"execute": "x-load", "arguments": {"count": 3}}""").ErrorClass);
        Assert.Equal("""{"count":3000000}""", Arguments(Check("""{"execute": "x-load", "arguments": {"count": 3000000}}""", new CommandGate(["x-load"], 4096))));
    }

    [Fact]
    public void Integers_and_numbers_are_told_apart_as_qemu_does()
    {
        var gate = new CommandGate(["balloon"], 4096);

        Assert.Equal("Invalid parameter type for 'value', expected: integer", Check("""{"execute": "balloon", "arguments": {"value": 1.5}}""", gate).Error);
        Assert.Equal("""{"value":1073741824}""", Arguments(Check("""{"execute": "balloon", "arguments": {"value": 1073741824}}""", gate)));
    }
}

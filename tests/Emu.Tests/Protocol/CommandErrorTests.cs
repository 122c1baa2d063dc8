using System.Text;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Protocol;

public sealed class CommandErrorTests
{
    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("42")]
    [InlineData("{\"nested\":[1,{\"a\":null}]}")]
    [InlineData("[true,false]")]
    public async Task The_id_of_any_json_type_is_echoed(string id)
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var reply = await client.ExecuteAsync("query-name", id: id);

        Assert.Equal(id, QmpTestClient.Compact(reply.Id.Span));
    }

    [Fact]
    public async Task An_unknown_command_is_CommandNotFound()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = await client.ErrorOfAsync("frobnicate");

        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
        Assert.Equal("The command frobnicate has not been found", error.Description);
    }

    [Theory]
    [InlineData("balloon", null, "Parameter 'value' is missing")]
    [InlineData("balloon", "{\"value\":\"big\"}", "Invalid parameter type for 'value', expected: integer")]
    [InlineData("balloon", "{\"value\":1024,\"speed\":1}", "Parameter 'speed' is unexpected")]
    [InlineData("watchdog-set-action", "{\"action\":\"explode\"}", "Parameter 'action' does not accept value 'explode'")]
    [InlineData("stop", "{\"now\":true}", "Parameter 'now' is unexpected")]
    [InlineData("block-job-pause", "{\"device\":false}", "Invalid parameter type for 'device', expected: string")]
    public async Task Bad_arguments_get_GenericError_naming_the_parameter(string command, string? arguments, string expected)
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = await client.ErrorOfAsync(command, arguments);

        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal(expected, error.Description);
    }

    [Fact]
    public async Task Replies_end_in_CRLF()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();
        await client.SendLineAsync("{\"execute\":\"query-name\"}");

        var buffer = new byte[4096];
        int n = await client.Socket.ReceiveAsync(buffer).WaitAsync(QmpTestClient.Timeout);

        Assert.True(n >= 2);
        Assert.Equal((byte)'\r', buffer[n - 2]);
        Assert.Equal((byte)'\n', buffer[n - 1]);
    }

    [Fact]
    public async Task Query_commands_lists_the_vendor_extensions_and_qmp_capabilities()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        string commands = await client.ReturnOfAsync("query-commands");

        foreach (var name in new[] { "qmp_capabilities", "x-guest-panic", "x-guest-hang", "x-load", "query-block-jobs", "drive-mirror" })
        {
            Assert.Contains($"{{\"name\":\"{name}\"}}", commands, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Query_name_reports_the_configured_name()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        Assert.Equal("{\"name\":\"test-vm\"}", await client.ReturnOfAsync("query-name"));
    }
}

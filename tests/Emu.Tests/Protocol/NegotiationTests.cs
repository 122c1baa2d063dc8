using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Protocol;

public sealed class NegotiationTests
{
    [Fact]
    public async Task Greeting_offers_the_version_and_the_oob_capability()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync(negotiate: false);

        Assert.Equal(7, client.Greeting.Version.Major);
        Assert.Equal(["oob"], client.Greeting.Capabilities);
        string version = await (await bed.ConnectAsync()).ReturnOfAsync("query-version");
        Assert.Contains("\"major\":7", version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_before_negotiation_gets_CommandNotFound_with_QEMUs_text()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync(negotiate: false);

        var error = Assert.IsType<QmpErrorResponse>(await client.ExecuteAsync("query-status", id: "1"));

        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
        Assert.Equal("Expecting capabilities negotiation with 'qmp_capabilities'", error.Description);
        Assert.Equal("1", System.Text.Encoding.UTF8.GetString(error.Id.Span));
    }

    [Fact]
    public async Task Negotiation_accepts_enabling_an_offered_capability()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync(negotiate: false);

        Assert.IsType<QmpReturn>(await client.ExecuteAsync("qmp_capabilities", "{\"enable\":[\"oob\"]}"));
        Assert.Equal("prelaunch", await client.StatusAsync());
    }

    [Fact]
    public async Task Negotiation_refuses_a_capability_that_was_not_offered()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync(negotiate: false);

        var error = Assert.IsType<QmpErrorResponse>(await client.ExecuteAsync("qmp_capabilities", "{\"enable\":[\"teleport\"]}"));

        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal("Parameter 'null' does not accept value 'teleport'", error.Description);
        Assert.IsType<QmpErrorResponse>(await client.ExecuteAsync("query-status"));
    }

    [Fact]
    public async Task Negotiating_again_is_refused_as_already_complete()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = Assert.IsType<QmpErrorResponse>(await client.ExecuteAsync("qmp_capabilities"));

        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
        Assert.Equal("Capabilities negotiation is already complete, command ignored", error.Description);
    }

    [Fact]
    public async Task Events_do_not_reach_a_monitor_that_has_not_negotiated()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var waiting = await bed.ConnectAsync(negotiate: false);
        var active = await bed.ConnectAsync();

        await active.ReturnOfAsync("cont");
        await active.ExpectEventsAsync("RESUME");
        Assert.IsType<QmpReturn>(await waiting.ExecuteAsync("qmp_capabilities"));
        await active.ReturnOfAsync("stop");

        await waiting.ExpectEventsAsync("STOP");
    }

    [Fact]
    public async Task Capabilities_reset_on_every_connection()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        await using (await bed.ConnectAsync())
        {
        }
        var again = await bed.ConnectAsync(negotiate: false);

        var error = Assert.IsType<QmpErrorResponse>(await again.ExecuteAsync("query-status"));
        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
    }

    [Fact]
    public async Task Exec_oob_is_unexpected_unless_oob_was_enabled()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        await client.SendLineAsync("{\"exec-oob\":\"query-status\",\"id\":1}");

        Assert.Equal("QMP input member 'exec-oob' is unexpected", Assert.IsType<QmpErrorResponse>(await client.ReadResponseAsync()).Description);
    }

    [Fact]
    public async Task With_oob_enabled_a_command_that_cannot_run_out_of_band_says_so()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync(negotiate: false);
        await client.ExecuteAsync("qmp_capabilities", "{\"enable\":[\"oob\"]}");

        await client.SendLineAsync("{\"exec-oob\":\"query-status\",\"id\":1}");

        Assert.Equal("The command query-status does not support OOB", Assert.IsType<QmpErrorResponse>(await client.ReadResponseAsync()).Description);
    }
}

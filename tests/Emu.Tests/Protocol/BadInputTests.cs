using System.Net.Sockets;
using System.Text;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Protocol;

public sealed class BadInputTests
{
    private static async Task<QmpErrorResponse> SendBadAsync(QmpTestClient client, byte[] line)
    {
        await client.SendRawAsync([.. line, (byte)'\r', (byte)'\n']);
        return Assert.IsType<QmpErrorResponse>(await client.ReadResponseAsync());
    }

    private static async Task AssertStillServesAsync(QmpTestClient client) =>
        Assert.Equal("{\"name\":\"test-vm\"}", await client.ReturnOfAsync("query-name"));

    [Fact]
    public async Task Malformed_json_gets_an_error_without_id_and_the_connection_survives()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = await SendBadAsync(client, "{\"execute\": \"query-name\" \"id\": 7}"u8.ToArray());

        Assert.Equal(QmpErrorClass.GenericError, error.ErrorClass);
        Assert.Equal("JSON parse error, expected separator in dict", error.Description);
        Assert.False(error.HasId);
        await AssertStillServesAsync(client);
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("\"query-name\"")]
    [InlineData("17")]
    public async Task A_non_object_gets_an_error(string line)
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = await SendBadAsync(client, Encoding.UTF8.GetBytes(line));

        Assert.Equal("QMP input must be a JSON object", error.Description);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task Invalid_utf8_gets_an_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        var error = await SendBadAsync(client, [.. "{\"execute\":\"query-name\",\"id\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

        Assert.Equal("JSON parse error, invalid UTF-8 sequence in string", error.Description);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task An_over_long_value_gets_QEMUs_size_error_and_a_later_command_works()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.MaxMessageBytes = 4096);
        var client = await bed.ConnectAsync();

        var error = await SendBadAsync(client, Encoding.ASCII.GetBytes("{\"execute\":\"" + new string('a', 100_000) + "\"}"));

        Assert.Equal("JSON token size limit exceeded", error.Description);
        // The rest of the over-long value is read as new input, as QEMU reads it: errors, then the next command runs.
        await client.SendLineAsync("{\"execute\":\"query-name\",\"id\":\"after\"}");
        QmpResponse reply;
        do reply = await client.ReadResponseAsync(); while (!reply.HasId);
        Assert.IsType<QmpReturn>(reply, exactMatch: false);
    }

    [Fact]
    public async Task Nesting_deeper_than_the_limit_gets_an_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();
        string deep = new string('[', 500) + new string(']', 500);

        var error = await SendBadAsync(client, Encoding.ASCII.GetBytes("{\"execute\":\"query-name\",\"id\":" + deep + "}"));

        Assert.StartsWith("JSON parse error", error.Description, StringComparison.Ordinal);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task A_client_sending_garbage_without_reading_is_disconnected_and_others_are_unaffected()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.MaxPendingOutputBytes = 64 * 1024);
        var other = await bed.ConnectAsync();
        var flooder = await bed.ConnectAsync();
        var garbage = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("garbage\r\n", 10_000)));

        bool disconnected = false;
        try
        {
            for (int i = 0; i < 2_000 && !disconnected; i++)
            {
                await flooder.SendRawAsync(garbage);
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            disconnected = true;
        }

        Assert.True(disconnected, "the server kept a client that never reads its replies");
        await AssertStillServesAsync(other);
    }

    [Fact]
    public async Task A_client_vanishing_mid_response_does_not_affect_others()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var other = await bed.ConnectAsync();
        var leaver = await bed.ConnectAsync();

        await leaver.SendLineAsync("{\"execute\":\"query-commands\"}");
        leaver.Socket.Close();
        await other.ReturnOfAsync("cont");

        await other.ExpectEventsAsync("RESUME");
        await AssertStillServesAsync(other);
    }

    [Fact]
    public async Task A_monitor_that_stops_reading_events_is_disconnected_once_too_far_behind()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.MaxPendingOutputBytes = 64 * 1024);
        var active = await bed.ConnectAsync();
        var sleeper = await bed.ConnectAsync();

        for (int i = 0; i < 10_000; i++)
        {
            await active.ReturnOfAsync(i % 2 == 0 ? "cont" : "stop");
        }
        await active.DrainEventsAsync();

        // What the sleeper finds in its socket buffer ends with the server closing it, well short of 10,000 events.
        var received = await sleeper.ReadUntilClosedAsync();
        Assert.InRange(received.Count, 1, 9_999);
        await AssertStillServesAsync(active);
    }
}

using Appliance.Qmp;
using System.Text;
using Appliance.Bridge.Client;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Client;

public sealed class QmpClientTests : IAsyncLifetime
{
    private static readonly QmpClientOptions Generous = new()
    {
        ConnectTimeout = TestWait.Timeout, GreetingTimeout = TestWait.Timeout,
        NegotiationTimeout = TestWait.Timeout, CommandTimeout = TestWait.Timeout,
    };

    private readonly TempDirectory _dir = new();
    private ScriptedQmpServer _server = null!;

    public Task InitializeAsync()
    {
        _server = ScriptedQmpServer.ListenUnix(_dir.File("vm.qmp"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private QmpClient NewClient(QmpClientOptions? options = null) =>
        new(QmpEndpoint.Parse(_server.Endpoint), options ?? Generous);

    /// <summary>Connects a client to a scripted server that greets and answers qmp_capabilities.</summary>
    private async Task<(QmpClient Client, ScriptedQmpConnection Server)> ConnectAsync(QmpClientOptions? options = null)
    {
        var client = NewClient(options);
        var connecting = client.ConnectAsync(CancellationToken.None);
        var server = await _server.AcceptNegotiatedAsync("\"oob\"");
        await server.NegotiateAsync();
        await connecting;
        return (client, server);
    }

    [Fact]
    public async Task Offered_oob_is_not_enabled_unless_configured()
    {
        var client = NewClient();
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        var server = await _server.AcceptNegotiatedAsync("\"oob\"");
        var negotiation = await server.NegotiateAsync();
        await connecting;

        Assert.Null(negotiation.Arguments);
        Assert.Empty(client.EnabledCapabilities);
        Assert.Equal(["oob"], client.Greeting!.Capabilities);
    }

    [Fact]
    public async Task Offered_oob_is_enabled_when_configured()
    {
        var client = NewClient(Generous with { EnableOob = true });
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        var server = await _server.AcceptNegotiatedAsync("\"oob\"");
        var negotiation = await server.NegotiateAsync();
        await connecting;

        Assert.Equal("""{"enable": ["oob"]}""", negotiation.Arguments);
        Assert.Equal(["oob"], client.EnabledCapabilities);
    }

    [Fact]
    public async Task Configured_oob_is_not_requested_from_a_server_that_does_not_offer_it()
    {
        var client = NewClient(Generous with { EnableOob = true });
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        var server = await _server.AcceptNegotiatedAsync();
        var negotiation = await server.NegotiateAsync();
        await connecting;

        Assert.Null(negotiation.Arguments);
    }

    [Fact]
    public async Task Tcp_endpoint_connects_and_executes_commands()
    {
        await using var tcp = ScriptedQmpServer.ListenTcp();
        tcp.AutoReply = StandardReplies.Healthy("paused");
        var client = new QmpClient(QmpEndpoint.Parse(tcp.Endpoint), Generous);
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        await (await tcp.AcceptAsync()).SendGreetingAsync();
        await connecting;

        var reply = Assert.IsType<QmpReturn>(await client.ExecuteAsync("query-status"));
        Assert.Contains("\"paused\"", Encoding.UTF8.GetString(reply.Value.Span));
    }

    [Fact]
    public async Task Event_sent_before_the_greeting_is_kept()
    {
        var client = NewClient();
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        var server = await _server.AcceptAsync();
        await server.SendEventAsync("RTC_CHANGE", """{"offset": 78, "qom-path": "/machine/unattached/device[0]"}""");
        await server.SendGreetingAsync();
        await server.NegotiateAsync();
        await connecting;

        Assert.True(client.Events.TryRead(out var early));
        Assert.Equal("RTC_CHANGE", early.Event.Name);
    }

    [Fact]
    public async Task Replies_are_matched_by_id_with_events_interleaved()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        var first = client.ExecuteAsync("query-name");
        var second = client.ExecuteAsync("query-uuid");
        var c1 = await server.ReadCommandAsync();
        var c2 = await server.ReadCommandAsync();
        await server.SendEventAsync("STOP");
        await server.ReplyAsync(c2, """{"UUID": "u"}""");
        await server.SendEventAsync("X_VENDOR_EVENT", """{"extra": [1, {"k": null}]}""");
        await server.ReplyAsync(c1, """{"name": "n"}""");

        Assert.Equal("""{"name": "n"}""", Encoding.UTF8.GetString(((QmpReturn)await first).Value.Span));
        Assert.Equal("""{"UUID": "u"}""", Encoding.UTF8.GetString(((QmpReturn)await second).Value.Span));
        Assert.Equal("STOP", (await client.Events.ReadAsync()).Event.Name);
        var vendor = (await client.Events.ReadAsync()).Event;
        Assert.Equal("""{"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "X_VENDOR_EVENT", "data": {"extra": [1, {"k": null}]}}""",
            vendor.RawText);
    }

    [Fact]
    public async Task Error_reply_is_returned_to_its_caller()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        var call = client.ExecuteAsync("no-such-command");
        var command = await server.ReadCommandAsync();
        await server.SendAsync($$"""{"error": {"class": "CommandNotFound", "desc": "The command no-such-command has not been found"}, "id": {{command.Id}}}""");

        var error = Assert.IsType<QmpErrorResponse>(await call);
        Assert.Equal(QmpErrorClass.CommandNotFound, error.ErrorClass);
    }

    [Fact]
    public async Task Greeting_never_sent_fails_with_a_greeting_timeout()
    {
        var client = NewClient(Generous with { GreetingTimeout = TimeSpan.FromMilliseconds(300) });
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        await using var server = await _server.AcceptAsync();

        var e = await Assert.ThrowsAsync<QmpTimeoutException>(() => connecting);
        Assert.Equal(QmpPhase.Greeting, e.Phase);
        Assert.True(client.IsClosed);
    }

    [Fact]
    public async Task Negotiation_never_answered_fails_with_a_negotiation_timeout()
    {
        var client = NewClient(Generous with { NegotiationTimeout = TimeSpan.FromMilliseconds(300) });
        await using var _ = client;
        var connecting = client.ConnectAsync(CancellationToken.None);
        await using var server = await _server.AcceptNegotiatedAsync();

        var e = await Assert.ThrowsAsync<QmpTimeoutException>(() => connecting);
        Assert.Equal(QmpPhase.Negotiation, e.Phase);
        Assert.Equal("qmp_capabilities", (await server.ReadCommandAsync()).Name);
        Assert.True(client.IsClosed);
    }

    [Fact]
    public async Task Connecting_to_a_missing_socket_fails_without_hanging()
    {
        var client = new QmpClient(QmpEndpoint.Unix(_dir.File("absent.qmp")), Generous);
        await using var _ = client;

        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Unanswered_command_fails_with_a_command_timeout()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        var e = await Assert.ThrowsAsync<QmpTimeoutException>(() => client.ExecuteAsync("query-status", timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal(QmpPhase.Command, e.Phase);
        Assert.Equal("query-status", (await server.ReadCommandAsync()).Name);
    }

    [Fact]
    public async Task Pending_commands_fail_with_connection_lost_when_the_server_goes_away()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;
        var calls = Enumerable.Range(0, 3).Select(_ => client.ExecuteAsync("query-status")).ToList();
        for (int i = 0; i < 3; i++) await server.ReadCommandAsync();

        server.Close();

        foreach (var call in calls) await Assert.ThrowsAsync<QmpConnectionLostException>(() => call);
        await Assert.ThrowsAsync<QmpConnectionLostException>(() => client.ExecuteAsync("query-status"));
    }

    [Fact]
    public async Task Events_queue_completes_when_the_connection_ends()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;
        await server.SendEventAsync("RESUME");
        server.Close();

        var names = new List<string>();
        await foreach (var e in client.Events.ReadAllAsync()) names.Add(e.Event.Name);

        Assert.Equal(["RESUME"], names);
        Assert.IsType<QmpConnectionLostException>(client.CloseReason);
    }

    [Fact]
    public async Task Garbage_between_messages_is_counted_and_skipped()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        await server.SendAsync("this is not json");
        await server.SendBytesAsync([0xff, 0xfe, 0x00, (byte)'}', (byte)'\n']);
        await server.SendAsync("""{"neither": "event nor reply"}""");
        await server.SendEventAsync("RESUME");
        var call = client.ExecuteAsync("query-status");
        await server.ReplyAsync(await server.ReadCommandAsync(), """{"status": "running"}""");

        Assert.IsType<QmpReturn>(await call);
        Assert.Equal("RESUME", (await client.Events.ReadAsync()).Event.Name);
        // As QEMU's parser reads it: four bare words, three stray bytes, a lone '}' and one object that is no message.
        Assert.Equal(9, client.Counters.MalformedLines);
        Assert.False(client.IsClosed);
    }

    [Fact]
    public async Task Messages_are_read_whatever_the_line_breaks()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;
        var call = client.ExecuteAsync("query-status");
        var command = await server.ReadCommandAsync();

        // Two messages on one line, then one spread over lines as a pretty=on monitor writes it, with no final newline.
        await server.SendBytesAsync(Encoding.UTF8.GetBytes(
            "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}{\"timestamp\": {\"seconds\": 1, \"microseconds\": 3}, \"event\": \"RESUME\"}\r\n" +
            "{\n    \"return\": {\n        \"status\": \"running\"\n    },\n    \"id\": " + command.Id + "\n}"));

        var reply = Assert.IsType<QmpReturn>(await call);
        Assert.Contains("\"running\"", Encoding.UTF8.GetString(reply.Value.Span), StringComparison.Ordinal);
        Assert.Equal("STOP", (await client.Events.ReadAsync()).Event.Name);
        Assert.Equal("RESUME", (await client.Events.ReadAsync()).Event.Name);
        Assert.Equal(0, client.Counters.MalformedLines);
    }

    [Fact]
    public async Task Endless_line_closes_the_connection_instead_of_growing_memory()
    {
        var (client, server) = await ConnectAsync(Generous with { MaxLineBytes = 4096 });
        await using var _ = client;
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));

        await server.SendBytesAsync("{\"event\": \""u8.ToArray());
        var flood = Task.Run(async () =>
        {
            // Keep sending until the client hangs up; about 1 MiB past the line limit is enough.
            try
            {
                while (true) await server.SendBytesAsync(chunk);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // The client closed the connection, as it should.
            }
        });

        await client.Closed.WaitAsync(TestWait.Timeout);
        Assert.IsType<QmpProtocolException>(client.CloseReason);
        Assert.Equal(1, client.Counters.OverlongLines);
        server.Close();
        await flood.WaitAsync(TestWait.Timeout);
    }

    [Fact]
    public async Task Overlong_terminated_line_closes_the_connection()
    {
        var (client, server) = await ConnectAsync(Generous with { MaxLineBytes = 4096 });
        await using var _ = client;

        await server.SendAsync($$"""{"return": "{{new string('x', 10_000)}}"}""");

        await client.Closed.WaitAsync(TestWait.Timeout);
        Assert.Contains("over the limit of 4096", client.CloseReason!.Message);
        Assert.Equal(1, client.Counters.OverlongLines);
    }

    [Fact]
    public async Task Never_more_than_eight_commands_are_on_the_wire()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;
        const int Total = 20;
        var calls = Enumerable.Range(0, Total).Select(i => client.ExecuteAsync("query-status")).ToList();

        int answered = 0, maxOutstanding = 0;
        var outstanding = new List<ClientCommand>();
        while (answered < Total)
        {
            outstanding.Add(await server.ReadCommandAsync());
            maxOutstanding = Math.Max(maxOutstanding, outstanding.Count);
            if (outstanding.Count < Math.Min(8, Total - answered)) continue;
            // Give a misbehaving client the chance to put a ninth command on the wire before answering.
            if (await server.TryReadCommandAsync(TimeSpan.FromMilliseconds(100)) is { } extra)
            {
                outstanding.Add(extra);
                maxOutstanding = Math.Max(maxOutstanding, outstanding.Count);
            }
            foreach (var c in outstanding) await server.ReplyAsync(c, """{"status": "running"}""");
            answered += outstanding.Count;
            outstanding.Clear();
        }

        await Task.WhenAll(calls);
        Assert.Equal(8, maxOutstanding);
    }

    [Fact]
    public async Task Command_timed_out_keeps_its_slot_until_the_late_reply()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;
        var late = new List<ClientCommand>();
        for (int i = 0; i < 8; i++)
        {
            var timedOut = client.ExecuteAsync("query-status", timeout: TimeSpan.FromMilliseconds(50));
            late.Add(await server.ReadCommandAsync());
            await Assert.ThrowsAsync<QmpTimeoutException>(() => timedOut);
        }

        var ninth = client.ExecuteAsync("query-name");
        Assert.Null(await server.TryReadCommandAsync(TimeSpan.FromMilliseconds(100)));
        await server.ReplyAsync(late[0]);
        var sent = await server.ReadCommandAsync();
        await server.ReplyAsync(sent);

        Assert.Equal("query-name", sent.Name);
        Assert.IsType<QmpReturn>(await ninth);
    }

    [Fact]
    public async Task Reply_with_unknown_members_is_matched_and_kept_whole()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        var call = client.ExecuteAsync("query-version");
        var command = await server.ReadCommandAsync();
        string line = $$$"""{"x-debug": {"t": 1}, "return": {"qemu": {"major": 7}}, "id": {{{command.Id}}}, "x-tail": null}""";
        await server.SendAsync(line);

        var reply = Assert.IsType<QmpReturn>(await call);
        Assert.Equal(line, reply.RawText);
        Assert.Equal(0, client.Counters.UnmatchedReplies);
    }

    [Fact]
    public async Task Reply_with_an_unknown_id_is_counted_not_fatal()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        await server.SendAsync("""{"return": {}, "id": "not-ours"}""");
        await server.SendAsync("""{"error": {"class": "GenericError", "desc": "JSON parse error"}}""");
        await server.SendEventAsync("RESUME");

        Assert.Equal("RESUME", (await client.Events.ReadAsync()).Event.Name);
        Assert.Equal(2, client.Counters.UnmatchedReplies);
        Assert.False(client.IsClosed);
    }

    [Fact]
    public async Task Connect_to_a_listener_that_never_accepts_fails_with_a_connect_timeout()
    {
        // A TCP listener whose accept queue is full drops further SYNs, so a connect hangs: a wedged host.
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = (System.Net.IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<System.Net.Sockets.Socket>();
        try
        {
            var client = new QmpClient(QmpEndpoint.Parse($"tcp:127.0.0.1:{endpoint.Port}"), Generous with { ConnectTimeout = TimeSpan.FromMilliseconds(500) });
            await using var _ = client;
            for (int i = 0; i < 8; i++)
            {
                var filler = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                fillers.Add(filler);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // an accepted SYN completes at once
                try
                {
                    await filler.ConnectAsync(endpoint, wait.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the queue is full now
                }
            }

            var e = await Assert.ThrowsAsync<QmpTimeoutException>(() => client.ConnectAsync(CancellationToken.None));
            Assert.Equal(QmpPhase.Connect, e.Phase);
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }

    [Fact]
    public async Task Arguments_that_are_not_json_are_refused_without_costing_a_slot()
    {
        var (client, server) = await ConnectAsync();
        await using var _ = client;

        for (int i = 0; i < 9; i++)
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync("stop", Encoding.UTF8.GetBytes("{not json")));
            Assert.Contains("arguments of 'stop' must be one JSON object", e.Message);
        }
        await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync("stop", Encoding.UTF8.GetBytes("[1]")));
        var good = client.ExecuteAsync("cont");
        var sent = await server.ReadCommandAsync();
        await server.ReplyAsync(sent);

        Assert.Equal("cont", sent.Name);
        Assert.IsType<QmpReturn>(await good);
    }
}

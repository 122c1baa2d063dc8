using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Client;

public sealed class MonitorRegistryTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly EventHub _hub = new();
    private readonly VmStatusBoard _board = new();
    private readonly List<ScriptedQmpServer> _servers = [];
    private EventSubscription _events = null!;

    public Task InitializeAsync()
    {
        _events = _hub.Subscribe("test", EventDelivery.Lossless);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
        _dir.Dispose();
    }

    private ScriptedQmpServer Serve(string fileName)
    {
        var server = ScriptedQmpServer.ListenUnix(_dir.File(fileName));
        server.AutoReply = StandardReplies.Healthy();
        _servers.Add(server);
        return server;
    }

    private static MonitorOptions Options(params (string Name, string Endpoint)[] vms)
    {
        var options = SupervisorHarness.QuickOptions();
        foreach (var (name, endpoint) in vms) options.Vms.Add(new VmMonitorOptions { Name = name, Endpoint = endpoint });
        options.GlobRescanInterval = TimeSpan.FromMilliseconds(50);
        return options;
    }

    private MonitorRegistry Registry(MonitorOptions options) => new(options, _hub, _board, new CriticalEventClassifier());

    [Fact]
    public async Task Executes_a_command_on_the_named_vm()
    {
        var a = Serve("a.qmp");
        var b = Serve("b.qmp");
        using var registry = Registry(Options(("a", a.Endpoint), ("b", b.Endpoint)));
        await registry.StartAsync(CancellationToken.None);
        await a.AcceptNegotiatedAsync();
        var bConnection = await b.AcceptNegotiatedAsync();
        await TestWait.UntilAsync(() => registry.Find("b")?.State == MonitorState.Running, "vm b running");

        var call = registry.ExecuteAsync("b", "query-name", default, CancellationToken.None);
        var command = await bConnection.ReadCommandAsync();
        await bConnection.ReplyAsync(command, """{"name": "b"}""");

        Assert.IsType<QmpReturn>(await call);
        Assert.Equal(["a", "b"], registry.VmNames);
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Unknown_vm_is_a_key_not_found_error()
    {
        using var registry = Registry(Options(("a", "unix:" + _dir.File("none.qmp"))));
        await registry.StartAsync(CancellationToken.None);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => registry.ExecuteAsync("zz", "stop", default, CancellationToken.None));
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Disconnected_vm_is_an_invalid_operation()
    {
        using var registry = Registry(Options(("a", "unix:" + _dir.File("none.qmp"))));
        await registry.StartAsync(CancellationToken.None);

        var e = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => registry.ExecuteAsync("a", "stop", default, CancellationToken.None));
        Assert.Contains("'a'", e.Message);
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_dead_monitor_does_not_disturb_another_vm()
    {
        var good = Serve("good.qmp");
        var options = Options(("dead", "unix:" + _dir.File("dead.qmp")), ("good", good.Endpoint));
        using var registry = Registry(options);
        await registry.StartAsync(CancellationToken.None);
        var connection = await good.AcceptNegotiatedAsync();
        var gap = await _events.NextAsync();

        await connection.SendEventAsync("STOP");
        var stop = await _events.NextAsync();

        Assert.Equal(("good", "good"), (gap.Vm, stop.Vm));
        Assert.Equal("STOP", stop.Event.Name);
        await TestWait.UntilAsync(() => registry.Find("dead")!.Counters.ConnectFailures >= 2, "retries of the dead monitor");
        Assert.Equal(MonitorState.Running, registry.Find("good")!.State);
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Glob_picks_up_sockets_that_appear_and_drops_those_that_vanish()
    {
        var options = Options();
        options.Glob = Path.Combine(_dir.Path, "*.qmp");
        using var registry = Registry(options);
        await registry.StartAsync(CancellationToken.None);

        var server = Serve("web-1.qmp");
        await server.AcceptNegotiatedAsync();
        var gap = await _events.NextAsync();
        Assert.Equal("web-1", gap.Vm);
        Assert.Equal(["web-1"], registry.VmNames);

        File.Delete(_dir.File("web-1.qmp"));
        await TestWait.UntilAsync(() => registry.VmNames.Count == 0 && _board.Get("web-1") is null, "the vanished VM to be dropped");
        Assert.Null(registry.Find("web-1"));
        await registry.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Glob_does_not_duplicate_an_explicitly_configured_vm()
    {
        var server = Serve("db.qmp");
        var options = Options(("db", server.Endpoint));
        options.Glob = Path.Combine(_dir.Path, "*.qmp");
        using var registry = Registry(options);
        await registry.StartAsync(CancellationToken.None);
        await server.AcceptNegotiatedAsync();
        await TestWait.UntilAsync(() => registry.Find("db")?.State == MonitorState.Running, "db running");

        Assert.Equal(["db"], registry.VmNames);
        Assert.Equal("unix:" + _dir.File("db.qmp"), registry.Find("db")!.Endpoint.ToString());
        await registry.StopAsync(CancellationToken.None);
    }
}

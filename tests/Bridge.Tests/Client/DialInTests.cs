using System.Net.Sockets;
using System.Text;
using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;
using Appliance.Emu;
using Appliance.Qmp;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Client;

/// <summary>Monitors that dial the appliance (<c>Monitors:Listen</c>), played by the emulator's <c>--connect</c> and by
/// raw sockets: naming, supervision, gap markers, and peers that are not QEMU.</summary>
public sealed class DialInTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly EventHub _hub = new();
    private readonly VmStatusBoard _board = new();
    private readonly List<EmulatedVm> _vms = [];
    private readonly List<MonitorRegistry> _registries = [];
    private EventSubscription _events = null!;

    private string ListenPath => _dir.File("dial.sock");

    public Task InitializeAsync()
    {
        _events = _hub.Subscribe("test", EventDelivery.Lossless);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var vm in _vms) await vm.DisposeAsync();
        foreach (var r in _registries)
        {
            await r.StopAsync(CancellationToken.None);
            r.Dispose();
        }
        _dir.Dispose();
    }

    private async Task<MonitorRegistry> ListenAsync(int maxDialIns = 64)
    {
        var options = SupervisorHarness.QuickOptions();
        options.Listen.Add($"unix:{ListenPath}");
        options.MaxDialIns = maxDialIns;
        options.NegotiationTimeout = TimeSpan.FromSeconds(2);
        options.GreetingTimeout = TimeSpan.FromSeconds(2);
        var registry = new MonitorRegistry(options, _hub, _board, new CriticalEventClassifier());
        _registries.Add(registry);
        await registry.StartAsync(CancellationToken.None);
        await TestWait.UntilAsync(() => File.Exists(ListenPath), "the listening socket");
        return registry;
    }

    private async Task<EmulatedVm> DialAsync(string name)
    {
        var options = new EmulatedVmOptions { Name = name, StartPaused = false, ReconnectDelay = TimeSpan.FromMilliseconds(100) };
        options.QmpConnect.Add(QmpEndpoint.Unix(ListenPath));
        var vm = new EmulatedVm(options);
        _vms.Add(vm);
        await vm.StartAsync(CancellationToken.None);
        return vm;
    }

    private async Task<VmEvent> NextGapAsync(string vm)
    {
        while (true)
        {
            var e = await _events.NextAsync();
            if (e.Vm == vm && e.IsGap) return e;
        }
    }

    private static string GapReason(VmEvent gap)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(gap.Event.Data);
        return doc.RootElement.GetProperty("reason").GetString()!;
    }

    [Fact]
    public async Task An_emulator_that_dials_in_is_a_vm_named_by_query_name()
    {
        var registry = await ListenAsync();

        await DialAsync("web");

        var gap = await NextGapAsync("web");
        Assert.Equal("connected", GapReason(gap));
        Assert.Equal("running", StatusOf(gap));
        await TestWait.UntilAsync(() => registry.Find("web")?.State == MonitorState.Running, "web running");
    }

    [Fact]
    public async Task Events_and_commands_flow_through_a_dialled_in_monitor()
    {
        var registry = await ListenAsync();
        await DialAsync("db");
        await NextGapAsync("db");
        await TestWait.UntilAsync(() => registry.Find("db")?.State == MonitorState.Running, "db running");

        var reply = await registry.ExecuteAsync("db", "stop", default, CancellationToken.None);

        Assert.IsType<Appliance.Qmp.Messages.QmpReturn>(reply);
        var stop = await _events.NextNamedAsync("STOP");
        Assert.Equal("db", stop.Vm);
    }

    [Fact]
    public async Task A_vm_that_dials_in_again_is_the_same_vm_with_a_reconnected_gap_marker()
    {
        await ListenAsync();
        var first = await DialAsync("app");
        await NextGapAsync("app");

        await first.DisposeAsync();
        await DialAsync("app");

        var gap = await NextGapAsync("app");
        Assert.Equal("reconnected", GapReason(gap));
    }

    [Fact]
    public async Task After_the_appliance_restarts_the_emulator_dials_in_again_and_its_events_arrive()
    {
        var before = await ListenAsync();
        await DialAsync("svc");
        await NextGapAsync("svc");
        await before.StopAsync(CancellationToken.None);

        var after = await ListenAsync();

        var gap = await NextGapAsync("svc");
        Assert.Equal("connected", GapReason(gap));
        await TestWait.UntilAsync(() => after.Find("svc")?.State == MonitorState.Running, "svc running after the restart");
        await after.ExecuteAsync("svc", "stop", default, CancellationToken.None);
        Assert.Equal("svc", (await _events.NextNamedAsync("STOP")).Vm);
    }

    [Fact]
    public async Task A_monitor_without_a_name_is_named_after_its_process()
    {
        var registry = await ListenAsync();
        using var peer = await RawPeer.ConnectAsync(ListenPath);

        await peer.GreetAndAnswerAsync(queryName: "{}");

        string expected = $"pid-{Environment.ProcessId}";
        await TestWait.UntilAsync(() => registry.Find(expected) is not null, $"a VM named {expected}",
            detail: () => string.Join(",", registry.VmNames));
    }

    [Fact]
    public async Task Peers_that_do_not_speak_qmp_cost_only_their_own_connection()
    {
        var registry = await ListenAsync();
        using (var silent = await RawPeer.ConnectAsync(ListenPath))
        using (var garbage = await RawPeer.ConnectAsync(ListenPath))
        using (var gone = await RawPeer.ConnectAsync(ListenPath))
        {
            await garbage.SendAsync("\xff\xfe not json {{{\r\n{\"QMP\": 7}\r\n");
            gone.Close();
            await DialAsync("after-noise");

            await NextGapAsync("after-noise");
            // The silent one is closed after the greeting timeout.
            Assert.Equal(0, await silent.ReadToEndAsync());
        }
        Assert.Equal(["after-noise"], registry.VmNames);
    }

    [Fact]
    public async Task The_listening_socket_admits_its_owner_and_group_only()
    {
        await ListenAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(ListenPath));
    }

    [Fact]
    public async Task A_socket_that_a_live_process_listens_on_is_not_taken_over()
    {
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(ListenPath));
        other.Listen(1);
        var options = SupervisorHarness.QuickOptions();
        options.Listen.Add($"unix:{ListenPath}");
        using var registry = new MonitorRegistry(options, _hub, _board, new CriticalEventClassifier());

        await registry.StartAsync(CancellationToken.None);

        var stopped = await Assert.ThrowsAsync<IOException>(() => registry.ExecuteTask!.WaitAsync(TestWait.Timeout));
        Assert.Contains("another process is listening", stopped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_beyond_the_bound_are_closed_at_once()
    {
        var registry = await ListenAsync(maxDialIns: 2);
        using var a = await RawPeer.ConnectAsync(ListenPath);
        using var b = await RawPeer.ConnectAsync(ListenPath);
        await Task.Delay(200); // both accepted and negotiating (silently)

        using var third = await RawPeer.ConnectAsync(ListenPath);

        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1.5)); // well before the 2 s greeting timeout
        Assert.Equal(0, await third.ReadToEndAsync(quick.Token));
        Assert.Empty(registry.VmNames);
    }

    private static string? StatusOf(VmEvent gap)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(gap.Event.Data);
        return doc.RootElement.GetProperty("status").GetProperty("status").GetString();
    }

    /// <summary>A peer that dials in and plays QEMU's part by hand (or does not).</summary>
    private sealed class RawPeer : IDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;

        private RawPeer(Socket socket)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _reader = new StreamReader(_stream, Encoding.UTF8);
        }

        public static async Task<RawPeer> ConnectAsync(string path)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
            return new RawPeer(socket);
        }

        public Task SendAsync(string text) => _stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask();

        /// <summary>Greets, then answers each command by id: <c>query-name</c> with <paramref name="queryName"/>, the rest with {}.</summary>
        public async Task GreetAndAnswerAsync(string queryName)
        {
            await SendAsync("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"\"}, \"capabilities\": []}}\r\n");
            _ = Task.Run(async () =>
            {
                try
                {
                    while (await _reader.ReadLineAsync() is { } line)
                    {
                        using var doc = System.Text.Json.JsonDocument.Parse(line);
                        string id = doc.RootElement.TryGetProperty("id", out var i) ? i.GetRawText() : "null";
                        string command = doc.RootElement.GetProperty("execute").GetString()!;
                        string value = command == "query-name" ? queryName : command == "query-status" ? "{\"status\": \"running\", \"running\": true}" : "{}";
                        await SendAsync($"{{\"return\": {value}, \"id\": {id}}}\r\n");
                    }
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // The test ended.
                }
            });
        }

        /// <summary>Reads until the appliance closes the connection; the bytes read.</summary>
        public async Task<int> ReadToEndAsync(CancellationToken cancellationToken = default)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TestWait.Timeout);
            int total = 0;
            var buffer = new byte[4096];
            int read;
            while ((read = await _stream.ReadAsync(buffer, timeout.Token)) > 0) total += read;
            return total;
        }

        public void Close() => _socket.Shutdown(SocketShutdown.Both);

        public void Dispose()
        {
            _reader.Dispose();
            _stream.Dispose();
        }
    }
}

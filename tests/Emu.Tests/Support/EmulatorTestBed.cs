using Appliance.Qmp;
using System.Net;
using System.Net.Sockets;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Emu.Tests.Support;

/// <summary>One emulated VM on a unix socket in its own temp directory, on virtual time.</summary>
internal sealed class EmulatorTestBed : IAsyncDisposable
{
    private readonly List<QmpTestClient> _clients = [];

    private EmulatorTestBed(TempDirectory dir, FakeTimeProvider time, EmulatedVm vm, EmulatedVmOptions options)
    {
        Directory = dir;
        Time = time;
        Vm = vm;
        Options = options;
    }

    public TempDirectory Directory { get; }
    public FakeTimeProvider Time { get; }
    public EmulatedVm Vm { get; }
    public EmulatedVmOptions Options { get; }
    public string SocketPath => Directory.File("qmp.sock");

    public static async Task<EmulatorTestBed> StartAsync(Action<EmulatedVmOptions>? configure = null)
    {
        var dir = new TempDirectory();
        var options = new EmulatedVmOptions { Name = "test-vm" };
        options.QmpEndpoints.Add(QmpEndpoint.Unix(Path.Combine(dir.Path, "qmp.sock")));
        configure?.Invoke(options);
        var time = new FakeTimeProvider();
        var vm = new EmulatedVm(options, time);
        await vm.StartAsync(CancellationToken.None);
        return new EmulatorTestBed(dir, time, vm, options);
    }

    /// <summary>A client on the unix socket, negotiated unless asked otherwise.</summary>
    public async Task<QmpTestClient> ConnectAsync(bool negotiate = true)
    {
        var client = await QmpTestClient.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), negotiate);
        _clients.Add(client);
        return client;
    }

    /// <summary>A client on a running VM (the default start is prelaunch, like -S).</summary>
    public async Task<QmpTestClient> ConnectRunningAsync()
    {
        var client = await ConnectAsync();
        await client.ReturnOfAsync("cont");
        await client.ExpectEventsAsync("RESUME");
        return client;
    }

    public void Advance(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        await Vm.DisposeAsync();
        Directory.Dispose();
    }
}

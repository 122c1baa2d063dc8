using System.Net.Sockets;
using System.Text;
using Appliance.Qmp;
using Appliance.TestSupport.Files;

namespace Appliance.Emu.Tests.Protocol;

/// <summary><c>--connect</c>: the emulated VM dials its client, like QEMU's <c>-chardev socket,path=P,reconnect=2</c>.</summary>
public sealed class DialTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public DialTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(_dir.File("client.sock")));
        _listener.Listen(4);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Dispose();
    }

    private async Task<EmulatedVm> StartDiallingAsync(string name = "dialler")
    {
        var options = new EmulatedVmOptions { Name = name, ReconnectDelay = TimeSpan.FromMilliseconds(100) };
        options.QmpConnect.Add(QmpEndpoint.Unix(_dir.File("client.sock")));
        var vm = new EmulatedVm(options);
        await vm.StartAsync(CancellationToken.None);
        return vm;
    }

    private async Task<(Socket Socket, StreamReader Reader)> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var socket = await _listener.AcceptAsync(timeout.Token);
        return (socket, new StreamReader(new NetworkStream(socket, ownsSocket: true), Encoding.UTF8));
    }

    [Fact]
    public async Task The_vm_dials_its_client_and_greets_it()
    {
        await using var vm = await StartDiallingAsync();

        var (_, reader) = await AcceptAsync();

        using (reader) Assert.StartsWith("{\"QMP\"", await reader.ReadLineAsync().WaitAsync(Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_vm_dials_again_after_its_client_goes_away()
    {
        await using var vm = await StartDiallingAsync();
        var (_, first) = await AcceptAsync();
        await first.ReadLineAsync().WaitAsync(Timeout);
        first.Dispose();

        var (_, second) = await AcceptAsync();

        using (second) Assert.StartsWith("{\"QMP\"", await second.ReadLineAsync().WaitAsync(Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_vm_keeps_trying_while_nobody_listens()
    {
        _listener.Dispose();
        File.Delete(_dir.File("client.sock"));
        await using var vm = await StartDiallingAsync();
        await Task.Delay(300); // a few refused attempts

        using var late = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        late.Bind(new UnixDomainSocketEndPoint(_dir.File("client.sock")));
        late.Listen(1);
        using var timeout = new CancellationTokenSource(Timeout);
        using var accepted = await late.AcceptAsync(timeout.Token);

        Assert.True(accepted.Connected);
    }
}

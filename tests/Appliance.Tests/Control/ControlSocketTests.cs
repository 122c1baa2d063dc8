using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Configuration;
using Appliance.Host.Control;
using Appliance.Host.Status;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Control;

public sealed class ControlSocketTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly VmStatusBoard _board = new();
    private readonly RecordingAcknowledger _acknowledger = new();
    private ControlSocketServer? _server;

    private string SocketPath => _dir.File("appliance.sock");

    public async Task InitializeAsync()
    {
        _board.SetMonitorState("vm1", MonitorState.Running);
        _board.SetRunStatus("vm1", "running");
        var status = new StatusDocument([new VmsStatusSection(_board)], TimeProvider.System, new ApplianceOptions { Node = "box1" });
        _server = new ControlSocketServer(new ApplianceOptions { RuntimeDirectory = _dir.Path }, status, _board, _acknowledger, NullLogger<ControlSocketServer>.Instance);
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _server!.StopAsync(CancellationToken.None);
        _server.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Status_request_returns_the_status_document()
    {
        byte[] reply = await ControlClient.SendAsync(SocketPath, ControlProtocol.Request("status"), CancellationToken.None);
        using var doc = JsonDocument.Parse(reply);
        Assert.Equal("box1", doc.RootElement.GetProperty("node").GetString());
        var vm = Assert.Single(doc.RootElement.GetProperty("vms").EnumerateArray());
        Assert.Equal("vm1", vm.GetProperty("name").GetString());
        Assert.Equal("running", vm.GetProperty("monitor").GetString());
    }

    [Fact]
    public void Socket_is_readable_and_writable_by_its_owner_only()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task Ack_request_acknowledges_as_cli_and_answers_with_what_was_cleared()
    {
        _acknowledger.Cleared = [new AcknowledgedAlarms("vm1", ["WATCHDOG"])];
        byte[] reply = await ControlClient.SendAsync(SocketPath, ControlProtocol.Request("ack", "vm1"), CancellationToken.None);
        Assert.Equal("""{"ok":true,"cleared":[{"vm":"vm1","alarms":["WATCHDOG"]}]}""", System.Text.Encoding.UTF8.GetString(reply));
        Assert.Equal(("vm1", "cli"), _acknowledger.Requested);
    }

    [Fact]
    public async Task Ack_request_with_nothing_latched_answers_with_nothing_cleared()
    {
        byte[] reply = await ControlClient.SendAsync(SocketPath, ControlProtocol.Request("ack"), CancellationToken.None);
        Assert.Equal("""{"ok":true,"cleared":[]}""", System.Text.Encoding.UTF8.GetString(reply));
    }

    [Fact]
    public async Task Ack_for_an_unknown_vm_is_an_error_reply()
    {
        byte[] reply = await ControlClient.SendAsync(SocketPath, ControlProtocol.Request("ack", "nope"), CancellationToken.None);
        using var doc = JsonDocument.Parse(reply);
        Assert.Contains("nope", doc.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_request_gets_an_error_and_the_server_keeps_serving()
    {
        byte[] reply = await ControlClient.SendAsync(SocketPath, "not json\n"u8.ToArray(), CancellationToken.None);
        Assert.Contains("not valid JSON", System.Text.Encoding.UTF8.GetString(reply), StringComparison.Ordinal);
        byte[] again = await ControlClient.SendAsync(SocketPath, ControlProtocol.Request("status"), CancellationToken.None);
        Assert.StartsWith("{", System.Text.Encoding.UTF8.GetString(again), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_socket_raises_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<ControlUnavailableException>(() => ControlClient.SendAsync(_dir.File("none.sock"), ControlProtocol.Request("status"), CancellationToken.None));
        Assert.Contains("none.sock", e.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingAcknowledger : IAlarmAcknowledger
    {
        public IReadOnlyList<AcknowledgedAlarms> Cleared { get; set; } = [];

        public (string? Vm, string By) Requested { get; private set; }

        public Task<IReadOnlyList<AcknowledgedAlarms>> AcknowledgeAsync(string? vm, string by, CancellationToken cancellationToken)
        {
            Requested = (vm, by);
            return Task.FromResult(Cleared);
        }
    }
}

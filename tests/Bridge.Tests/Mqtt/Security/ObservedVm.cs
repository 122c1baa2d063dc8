using System.Collections.Concurrent;
using System.Text.Json;
using Appliance.Bridge.Client;
using Appliance.Emu;
using Appliance.Qmp;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Qemu;

namespace Appliance.Bridge.Tests.Mqtt.Security;

/// <summary>A VM with two QMP monitors: one for the appliance, one for an independent observer that records every
/// event the VM emits and asks for its run state, so a test can prove what the VM did not receive.</summary>
internal sealed class ObservedVm : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly EmulatedVm? _emulated;
    private readonly QemuProcess? _qemu;
    private readonly QmpClient _observer;
    private readonly ConcurrentQueue<string> _events = new();
    private readonly Task _recording;

    private ObservedVm(TempDirectory dir, EmulatedVm? emulated, QemuProcess? qemu, QmpClient observer)
    {
        _dir = dir;
        _emulated = emulated;
        _qemu = qemu;
        _observer = observer;
        _recording = RecordAsync();
    }

    /// <summary>Where the appliance's monitor listens.</summary>
    public string ApplianceEndpoint => "unix:" + _dir.File("vm.qmp");

    /// <summary>Names of the events the observer saw, in order.</summary>
    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>Starts a running VM of <paramref name="kind"/> and connects the observer.</summary>
    public static async Task<ObservedVm> StartAsync(VmKind kind)
    {
        var dir = new TempDirectory();
        EmulatedVm? emulated = null;
        QemuProcess? qemu = null;
        if (kind == VmKind.Emulated)
        {
            var options = new EmulatedVmOptions { Name = "vm1", StartPaused = false };
            options.QmpEndpoints.Add(QmpEndpoint.Unix(dir.File("vm.qmp")));
            options.QmpEndpoints.Add(QmpEndpoint.Unix(dir.File("observer.qmp")));
            emulated = new EmulatedVm(options);
            await emulated.StartAsync(CancellationToken.None);
        }
        else
        {
            // QEMU serves several monitors: the fixture's own, and one more for the observer.
            qemu = QemuProcess.Start(dir, ownsDir: false, "vm.qmp", "-qmp", $"unix:{dir.File("observer.qmp")},server=on,wait=off");
        }
        return new ObservedVm(dir, emulated, qemu, await ConnectObserverAsync(dir.File("observer.qmp")));
    }

    /// <summary>QEMU opens its monitors one after the other: the fixture waited for the first, the observer's may
    /// follow a moment later.</summary>
    private static async Task<QmpClient> ConnectObserverAsync(string path)
    {
        var deadline = DateTime.UtcNow + Client.TestWait.Timeout;
        while (true)
        {
            var observer = new QmpClient(QmpEndpoint.Unix(path), name: "observer");
            try
            {
                await observer.ConnectAsync(CancellationToken.None);
                return observer;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await observer.DisposeAsync();
                await Task.Delay(20);
            }
        }
    }

    /// <summary>The run state as the observer reads it now. Any event the VM emitted before this reply has been
    /// recorded by then (a monitor sends its events and replies in order).</summary>
    public async Task<string> StatusAsync()
    {
        var reply = Assert.IsType<QmpReturn>(await _observer.ExecuteAsync("query-status"));
        using var json = JsonDocument.Parse(reply.Value);
        string status = json.RootElement.GetProperty("status").GetString()!;
        await Task.Delay(50); // lets the recording loop drain events read together with the reply
        return status;
    }

    /// <summary>Asserts the VM is still running and emitted no event at all since it started.</summary>
    public async Task AssertUntouchedAsync()
    {
        Assert.Equal("running", await StatusAsync());
        Assert.Empty(Events);
    }

    private async Task RecordAsync()
    {
        await foreach (var e in _observer.Events.ReadAllAsync()) _events.Enqueue(e.Event.Name);
    }

    public async ValueTask DisposeAsync()
    {
        await _observer.DisposeAsync();
        await _recording;
        if (_emulated is not null) await _emulated.DisposeAsync();
        _qemu?.Dispose();
        _dir.Dispose();
    }
}

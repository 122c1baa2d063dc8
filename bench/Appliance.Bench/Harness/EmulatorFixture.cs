using Appliance.Qmp;
using Appliance.Emu;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Harness;

/// <summary>Emulated VMs in this process, each on a unix QMP socket in a temp directory.</summary>
public sealed class EmulatorFixture : IAsyncDisposable
{
    private readonly EmulatorHost _host = new(TimeProvider.System, NullLoggerFactory.Instance);

    /// <summary>The directory holding the sockets.</summary>
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("bench-emu-").FullName;

    /// <summary>Starts a VM named <paramref name="name"/> and returns its socket path.</summary>
    public async Task<string> StartVmAsync(string name, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Directory, name + ".qmp");
        var options = new EmulatedVmOptions { Name = name, StartPaused = false };
        options.QmpEndpoints.Add(QmpEndpoint.Unix(path));
        await _host.Add(options).StartAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>Stops the VMs and removes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

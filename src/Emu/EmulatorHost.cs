using Microsoft.Extensions.Logging;

namespace Appliance.Emu;

/// <summary>Runs many emulated VMs in one process (no thread per VM).</summary>
/// <param name="timeProvider">The clock shared by all VMs.</param>
/// <param name="loggerFactory">Logging for all VMs.</param>
public sealed class EmulatorHost(TimeProvider timeProvider, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly List<EmulatedVm> _vms = [];

    /// <summary>The VMs added so far.</summary>
    public IReadOnlyList<EmulatedVm> Vms => _vms;

    /// <summary>Adds a VM; <see cref="StartAsync"/> starts it (or call <see cref="EmulatedVm.StartAsync"/> for one added later).</summary>
    public EmulatedVm Add(EmulatedVmOptions options)
    {
        var vm = new EmulatedVm(options, timeProvider, loggerFactory);
        _vms.Add(vm);
        return vm;
    }

    /// <summary>Starts every VM added so far.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var vm in _vms) await vm.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when every VM has exited.</summary>
    public Task WhenAllExited => Task.WhenAll(_vms.Select(v => v.Exited));

    /// <summary>Stops every VM.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var vm in _vms) await vm.DisposeAsync().ConfigureAwait(false);
    }
}

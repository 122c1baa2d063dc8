using Appliance.Emu;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Hosting;

/// <summary>Runs the configured emulated VMs inside the appliance process, each on its own QMP unix socket (see
/// <see cref="EmulatedVms.MonitorSocket"/>, where the monitors attach to them). The VMs are created when the service
/// starts, not when it is constructed.</summary>
internal sealed class EmulatorService(EmulatorSection emulator, ApplianceOptions appliance, TimeProvider time, ILoggerFactory loggers) : BackgroundService, IAsyncDisposable
{
    private readonly EmulatorHost _emulator = new(time, loggers);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var vm in emulator.Vms) _emulator.Add(vm.ToOptions(EmulatedVms.MonitorSocket(appliance, vm.Name)));
        await _emulator.StartAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A VM that is quit or powered off ends on its own; the service stays up so the others and the pipeline go on.
        await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _emulator.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Also when a start failed half way (the pipeline does not stop a stage that did not start): the
    /// VMs already listening are closed when the host is disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync().ConfigureAwait(false);
        Dispose();
    }
}

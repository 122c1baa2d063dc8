using Appliance.Emu;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Hosting;

/// <summary>Runs the configured emulated VMs inside the appliance process, each on its own QMP unix socket.</summary>
internal sealed class EmulatorService(EmulatorHost emulator) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await emulator.StartAsync(cancellationToken).ConfigureAwait(false);
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
        await emulator.DisposeAsync().ConfigureAwait(false);
    }
}

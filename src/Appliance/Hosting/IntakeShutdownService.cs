using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Hosting;

/// <summary>Closes the event intake on shutdown and lets the journal writer commit what is queued.</summary>
/// <remarks>Placed just after the journal writer in <see cref="PipelineLifecycle"/>'s order, so it stops after the
/// monitors and emulated VMs and before the writer: completing the hub ends the writer's loop once it has committed
/// every queued event.</remarks>
internal sealed class IntakeShutdownService(EventHub hub, JournalWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        hub.Complete();
        // The writing loop, not the writer's whole ExecuteTask: its WAL sync and critical log threads run until the
        // writer itself is stopped, so waiting for them here would wait for the shutdown timeout on every stop.
        try
        {
            await writer.Drained.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout is up: the writer's own stop handling takes over.
        }
    }
}

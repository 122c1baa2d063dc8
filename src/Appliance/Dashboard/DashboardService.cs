using System.Text.Json;
using Appliance.Host.Status;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Dashboard;

/// <summary>The live terminal dashboard of <c>appliance run</c> on a terminal: redraws the status twice a second.</summary>
internal sealed class DashboardService(StatusDocument status, LogTailProvider logs, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var frames = new TerminalFrameWriter(Console.Out);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), time);
        do
        {
            using var doc = JsonDocument.Parse(status.Build());
            var (width, height) = Cli.StatusVerb.TerminalSize();
            frames.Draw(DashboardRenderer.Render(doc.RootElement, width, height, logs.Tail(), hint: "Ctrl+C stops"));
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

using Appliance.Host.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Appliance.Host.Hosting;

/// <summary>Chooses where logs go: the dashboard's log pane when the dashboard owns the terminal, lines with
/// systemd priority prefixes (<c>&lt;6&gt;</c>) under systemd, plain single-line logs otherwise.</summary>
internal static class ApplianceLogging
{
    public static void Configure(ILoggingBuilder logging, IServiceCollection services, bool dashboard)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        // Start-up failures are reported by the appliance itself in one line; the host's own copy is a stack dump.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        // The health check service logs every non-Healthy check on every run (once a second); HealthMonitor logs changes.
        logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        var tail = new LogTailProvider();
        services.AddSingleton(tail);
        if (dashboard)
        {
            logging.AddProvider(tail);
            return;
        }
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null || Environment.GetEnvironmentVariable("INVOCATION_ID") is not null)
        {
            logging.AddSystemdConsole(o => o.UseUtcTimestamp = true);
            return;
        }
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }
}

using Appliance.Host.Cli;
using Appliance.Host.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>Builds and runs the Generic Host of <c>appliance run</c>.</summary>
internal static class ApplianceHost
{
    /// <summary>Runs until SIGTERM or SIGINT. Returns the process exit code.</summary>
    public static async Task<int> RunAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        IHost host;
        try
        {
            host = Build(configuration, Console.IsOutputRedirected);
        }
        catch (OptionsValidationException e)
        {
            return CliErrors.ReportConfiguration(e.Failures);
        }
        catch (ArgumentException e)
        {
            return CliErrors.Report($"configuration: {e.Message}", ExitCodes.Usage);
        }
        using (host)
        {
            try
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                // A component could not start (unopenable journal, busy GPIO line, unusable socket path, ...).
                if (Environment.GetEnvironmentVariable("APPLIANCE_TRACE") is not null) Console.Error.WriteLine(e);
                return CliErrors.Report($"cannot start: {e.GetBaseException().Message}", ExitCodes.Failure);
            }
        }
    }

    private static void CreateDirectories(ApplianceOptions appliance)
    {
        foreach (string dir in new[] { appliance.StateDirectory, appliance.RuntimeDirectory, Path.Combine(appliance.RuntimeDirectory, "emu") })
        {
            try
            {
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"cannot create directory '{dir}': {e.Message}", e);
            }
        }
    }

    /// <summary>Composes the host (configuration, logging, every component and its hosted services), checks the
    /// configuration with every options validator once (<see cref="ConfigurationCheck.Validate{T}"/>), and only then
    /// creates the state and runtime directories: nothing is created on a bad configuration.</summary>
    /// <param name="configuration">The layered configuration (<see cref="Configuration.ConfigurationLayers"/>).</param>
    /// <param name="outputRedirected">Whether stdout is not a terminal (the dashboard's <c>auto</c> mode).</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="notifier">How to reach systemd; from NOTIFY_SOCKET and WATCHDOG_USEC when null.</param>
    /// <param name="services">More registrations after the appliance's own (tests).</param>
    /// <exception cref="OptionsValidationException">The configuration is not valid; every problem, one line each.</exception>
    /// <exception cref="ArgumentException">A directory cannot be created.</exception>
    public static IHost Build(IConfiguration configuration, bool outputRedirected, TimeProvider? time = null, Systemd.SdNotifier? notifier = null,
        Action<IServiceCollection>? services = null)
    {
        var host = ConfigurationCheck.Validate(configuration,
            known => CreateBuilder(known, outputRedirected, time, notifier, services).Build(), h => h.Services);
        try
        {
            CreateDirectories(host.Services.GetRequiredService<IOptions<ApplianceOptions>>().Value);
        }
        catch (ArgumentException)
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>The host's builder with every registration made, before <see cref="HostApplicationBuilder.Build"/>
    /// (a test builds its services with validation on).</summary>
    /// <inheritdoc cref="Build" path="/param"/>
    internal static HostApplicationBuilder CreateBuilder(IConfiguration configuration, bool outputRedirected, TimeProvider? time = null,
        Systemd.SdNotifier? notifier = null, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        var appliance = new ApplianceOptions();
        configuration.Bind(appliance);
        var emulated = EmulatedVms.Plan(configuration);
        bool dashboard = appliance.Dashboard == "on" || (appliance.Dashboard == "auto" && !outputRedirected);

        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = appliance.ShutdownTimeout;
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });
        ApplianceLogging.Configure(builder.Logging, builder.Services, dashboard);
        builder.Services.AddApplianceOptions(builder.Configuration, emulated);
        builder.Services.AddSingleton(_ => notifier ?? Systemd.SdNotifier.FromEnvironment());
        builder.Services.AddPipeline(appliance, dashboard);
        builder.Services.AddMetrics(builder.Configuration);
        services?.Invoke(builder.Services);
        return builder;
    }
}

using Appliance.Host.Control;
using Appliance.Host.Health;
using Appliance.Host.Hosting;
using Appliance.Host.Metrics;
using Appliance.Host.Status;
using Appliance.Host.Systemd;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Tests.Hosting;

/// <summary>The host's registrations are complete: composed as <c>appliance run</c> composes them, with the container's
/// own checks on (ValidateOnBuild, ValidateScopes), every pipeline stage, hosted service and component can be created.
/// A missing registration fails here, not on a box.</summary>
public sealed class HostWiringTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_pipeline_stage_resolves_in_the_written_order()
    {
        await using var services = Build(Configuration());

        var lifecycle = Assert.Single(services.GetServices<IHostedService>().OfType<PipelineLifecycle>());

        Assert.Equal(["indicators", "indicator-mirroring", "mqtt", "journal-writer", "intake", "emulator", "monitors"],
            lifecycle.Stages.Select(s => s.Name));
    }

    [Fact]
    public async Task Hosted_services_start_after_the_pipeline_in_registration_order()
    {
        await using var services = Build(Configuration());

        Assert.Equal([typeof(PipelineLifecycle), typeof(RecentEventsSection), typeof(ControlSocketServer), typeof(HealthMonitor), typeof(SystemdNotifyService)],
            OwnHostedServices(services));
    }

    [Fact]
    public async Task A_hosted_component_is_the_instance_the_others_read()
    {
        await using var services = Build(Configuration());

        var hosted = services.GetServices<IHostedService>().ToList();

        Assert.Same(services.GetRequiredService<ControlSocketServer>(), Assert.Single(hosted.OfType<ControlSocketServer>()));
        Assert.Same(services.GetRequiredService<HealthMonitor>(), Assert.Single(hosted.OfType<HealthMonitor>()));
        Assert.Same(services.GetRequiredService<RecentEventsSection>(), Assert.Single(services.GetServices<IStatusSection>().OfType<RecentEventsSection>()));
    }

    [Fact]
    public async Task Metrics_and_dashboard_join_the_hosted_services_when_switched_on()
    {
        await using var services = Build(Configuration(("Metrics:Listen", "127.0.0.1:9100"), ("Dashboard", "on")));

        Assert.Equal([typeof(Host.Dashboard.DashboardService), typeof(EventTally), typeof(MetricsServer)], OwnHostedServices(services).Skip(5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_registered_component_resolves(bool metricsAndDashboard)
    {
        var configuration = metricsAndDashboard ? Configuration(("Metrics:Listen", "127.0.0.1:9100"), ("Dashboard", "on")) : Configuration();
        var builder = ApplianceHost.CreateBuilder(configuration, outputRedirected: true, notifier: new SdNotifier(null));
        // Factory registrations are opaque to ValidateOnBuild: resolving each of the appliance's own services runs them.
        var own = builder.Services.Select(d => d.ServiceType)
            .Where(t => !t.IsGenericTypeDefinition && t.Assembly.GetName().Name is { } name && (name == "appliance" || name.StartsWith("Appliance.", StringComparison.Ordinal)))
            .Distinct().ToList();
        await using var services = Build(builder);

        foreach (var type in own) Assert.All(services.GetServices(type), Assert.NotNull);

        Assert.Contains(typeof(IStatusSection), own);
        Assert.Contains(typeof(Bridge.Indicators.IndicatorService), own);
    }

    // The framework's own (the health check publisher) aside.
    private static IEnumerable<Type> OwnHostedServices(IServiceProvider services) =>
        services.GetServices<IHostedService>().Select(h => h.GetType()).Where(t => t.Namespace!.StartsWith("Appliance.", StringComparison.Ordinal));

    // The builder alone does not create the state and runtime directories (Build does, once the options are valid).
    private IConfiguration Configuration(params (string Key, string? Value)[] settings)
    {
        Directory.CreateDirectory(_dir.File("state"));
        Directory.CreateDirectory(_dir.File("run"));
        var values = new Dictionary<string, string?>
        {
            ["Node"] = "box1",
            ["StateDirectory"] = _dir.File("state"),
            ["RuntimeDirectory"] = _dir.File("run"),
            ["Dashboard"] = "off",
            ["Mqtt:Broker:Host"] = "127.0.0.1",
            ["Indicators:Board"] = "sim",
        };
        foreach (var (key, value) in settings) values[key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    // Outside systemd: never the NOTIFY_SOCKET the test runner may have.
    private static ServiceProvider Build(IConfiguration configuration) =>
        Build(ApplianceHost.CreateBuilder(configuration, outputRedirected: true, notifier: new SdNotifier(null)));

    private static ServiceProvider Build(HostApplicationBuilder builder) =>
        builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
}

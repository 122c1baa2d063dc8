using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Health;

/// <summary>The indicators' health: an input line that stopped reporting edges (its chip gone) is Degraded, naming the
/// line and the errno; the lamps still work, so it is not Unhealthy.</summary>
public sealed class IndicatorsHealthCheckTests : IDisposable
{
    private readonly EventHub _hub = new();
    private readonly GpioInputFaults _faults = new();
    private readonly IndicatorService _indicators;
    private readonly IndicatorsHealthCheck _check;

    public IndicatorsHealthCheckTests()
    {
        var sim = BoardCatalog.Load([]).Get(BoardCatalog.SimulatedBoard);
        _indicators = new IndicatorService(IndicatorOptions.CreateDefault(), new IndicatorHardware(sim, GpioDrivers.For(sim)), _hub,
            new VmStatusBoard(TimeProvider.System), TimeProvider.System, NullLogger<IndicatorService>.Instance);
        _check = new IndicatorsHealthCheck(_indicators, _faults, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
    }

    [Fact]
    public async Task Indicators_without_faults_are_healthy()
    {
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task Input_line_that_stopped_reporting_edges_is_degraded_naming_line_and_errno()
    {
        _faults.Report(new GpioLineSettings(new GpioPin("9030000.pl061", 3), "acknowledge-button"), 19);

        var result = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("9030000.pl061:3 for 'acknowledge-button': errno 19", result.Description, StringComparison.Ordinal);
    }

    public void Dispose() => _indicators.Dispose();

    private Task<HealthCheckResult> CheckAsync() => _check.CheckHealthAsync(new HealthCheckContext());
}

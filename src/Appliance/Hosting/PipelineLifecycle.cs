using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Hosting;

/// <summary>Starts the pipeline's components in the order given and stops them in the reverse order, written down in
/// one place rather than left to the order of registrations. A component that fails to start stops those already
/// started (in reverse) before the failure goes on; a component that fails to stop does not keep the others from
/// stopping.</summary>
internal sealed partial class PipelineLifecycle(IReadOnlyList<PipelineStage> stages, ILogger<PipelineLifecycle> logger) : IHostedService
{
    private int _started;

    /// <summary>The appliance's pipeline. Start in this order, stop in the reverse: indicator lines safe first and last;
    /// their changes forwarded to MQTT from before the mirror starts until after it stopped; the mirror after the
    /// writer committed its last batch; the intake closed (hub completed, queue drained) once the monitors and
    /// emulated VMs have stopped, before the writer stops (its checkpointer and retention stop with it).</summary>
    public PipelineLifecycle(IndicatorService indicators, IndicatorMirroring indicatorMirroring, MqttMirror mqtt, JournalWriter writer,
        IntakeShutdownService intake, EmulatorService emulator, MonitorRegistry monitors, ILogger<PipelineLifecycle> logger)
        : this(
        [
            new("indicators", indicators),
            new("indicator-mirroring", indicatorMirroring),
            new("mqtt", mqtt),
            new("journal-writer", writer),
            new("intake", intake),
            new("emulator", emulator),
            new("monitors", monitors),
        ], logger)
    {
    }

    /// <summary>The stages in start order.</summary>
    public IReadOnlyList<PipelineStage> Stages => stages;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < stages.Count; i++)
        {
            try
            {
                await stages[i].Service.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogStartFailed(e, stages[i].Name);
                await StopStartedAsync(i, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            _started = i + 1;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var failures = await StopStartedAsync(_started, cancellationToken).ConfigureAwait(false);
        _started = 0;
        if (failures.Count > 0) throw new AggregateException("pipeline components failed to stop", failures);
    }

    private async Task<List<Exception>> StopStartedAsync(int count, CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        for (int i = count - 1; i >= 0; i--)
        {
            try
            {
                await stages[i].Service.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogStopFailed(e, stages[i].Name);
                failures.Add(e);
            }
        }
        return failures;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline: {Stage} failed to start; stopping what had started")]
    private partial void LogStartFailed(Exception e, string stage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline: {Stage} failed to stop; stopping the rest")]
    private partial void LogStopFailed(Exception e, string stage);
}

/// <summary>One component of the pipeline and its name in logs.</summary>
internal sealed record PipelineStage(string Name, IHostedService Service);

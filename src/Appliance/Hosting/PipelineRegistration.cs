using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Configuration;
using Appliance.Host.Control;
using Appliance.Host.Dashboard;
using Appliance.Host.Health;
using Appliance.Host.Status;
using Appliance.Host.Systemd;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Host.Hosting;

/// <summary>Registers the pipeline: hub and status board, journal, emulated VMs, monitors, MQTT mirror, indicators,
/// and the host's own services. Every component is an ordinary service whose constructor takes what it needs; one
/// that reads the event stream subscribes to the hub itself. The pipeline's start and stop order is written down once,
/// in <see cref="PipelineLifecycle"/>: the stop order the appliance promises is stop intake (monitors), commit the
/// journal, drain MQTT, then put the indicators in their safe state.</summary>
internal static class PipelineRegistration
{
    public static IServiceCollection AddPipeline(this IServiceCollection services, ApplianceOptions appliance, bool dashboard)
    {
        services.AddSingleton<EventHub>();
        services.AddSingleton<VmStatusBoard>();
        // The one criticality policy (key CriticalEvents): the monitors stamp events with it, the replay asks by it.
        services.AddSingleton(new CriticalEventClassifier(appliance.CriticalEvents));

        // Components take their validated options values (validated once, at start, by ValidateOnStart).
        services.AddOptionsValue<ApplianceOptions>();
        services.AddOptionsValue<MonitorOptions>();
        services.AddOptionsValue<MqttMirrorOptions>();
        services.AddOptionsValue<IndicatorOptions>();
        services.AddOptionsValue<JournalOptions>();

        // Indicators. The simulated chips exist for every board (the demo and the benchmarks drive them); only the sim
        // board uses them. The chardev driver reports input lines whose edges can no longer be read; the health check reads them.
        services.AddSingleton<SimulatedGpioChips>();
        services.AddSingleton<GpioInputFaults>();
        services.AddSingleton<IndicatorHardware>();
        services.AddSingleton<IndicatorService>();
        services.AddAlias<IAlarmAcknowledger, IndicatorService>();

        // MQTT mirror: forwards committed journal rows, and the indicators' changes.
        services.AddSingleton<MqttMirror>();
        services.AddAlias<IIndicatorStateSink, MqttMirror>();
        services.AddSingleton<IndicatorMirroring>();

        // Journal: every event, committed in groups (critical events at once, synced; their critical lane starts with the
        // writer). Opened by a factory: opening runs the schema migrations, which systemd is told about first.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<JournalOptions>();
            JournalMigrationNotice.SendIfMigrating(options.Path, sp.GetRequiredService<SdNotifier>());
            return EventJournal.Open(options);
        });
        services.AddAlias<IJournalReader, EventJournal>();
        services.AddSingleton<JournalWriter>();
        // Checkpoints and retention run inside the writer (its checkpointer thread, its retention chunks between batches).
        services.AddSingleton<IntakeShutdownService>();

        // Emulated VMs, served on their own QMP sockets before the monitors attach to them; one supervisor per VM.
        services.AddOptionsValue<EmulatorSection>();
        services.AddSingleton<EmulatorService>();
        services.AddSingleton<MonitorRegistry>();
        services.AddAlias<IVmCommandGateway, MonitorRegistry>();

        services.AddHostedService<PipelineLifecycle>();

        // Seeing it: status document, control socket, health, systemd, dashboard.
        services.AddStatus();
        services.AddHostedSingleton<ControlSocketServer>();
        services.AddApplianceHealth();
        services.AddSingleton<StatusLine>();
        services.AddHostedService<SystemdNotifyService>();
        if (dashboard) services.AddHostedService<DashboardService>();
        return services;
    }
}

using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Emu;
using Appliance.Host.Configuration;
using Appliance.Host.Control;
using Appliance.Host.Dashboard;
using Appliance.Host.Health;
using Appliance.Host.Status;
using Appliance.Host.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>Registers the pipeline: hub and status board, journal, emulated VMs, monitors, MQTT mirror, indicators,
/// and the host's own services. The pipeline's start and stop order is written down once, in
/// <see cref="PipelineLifecycle"/>: the stop order the appliance promises is stop intake (monitors), commit the
/// journal, drain MQTT, then put the indicators in their safe state.</summary>
internal static class PipelineRegistration
{
    /// <summary>Queue of the journal's lossless hub subscription: the monitors wait when it is full.</summary>
    private const int JournalQueue = 65_536;

    public static IServiceCollection AddPipeline(this IServiceCollection services, ApplianceOptions appliance, IReadOnlyList<EmulatedVmSection> emulated, bool dashboard)
    {
        services.AddSingleton<EventHub>();
        services.AddSingleton<VmStatusBoard>();
        // The one criticality policy (key CriticalEvents): the monitors stamp events with it, the replay asks by it.
        services.AddSingleton(new CriticalEventClassifier(appliance.CriticalEvents));

        // Components take their validated options values (validated once, at start, by ValidateOnStart).
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MonitorOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MqttMirrorOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<IndicatorOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<JournalOptions>>().Value);

        // Indicators first: their lines go to the safe state before anything else runs, and they stop last.
        // The simulated chips exist for every board (the demo and the benchmarks drive them); only the sim board uses them.
        services.AddSingleton<SimulatedGpioChips>();
        // Input lines whose edges can no longer be read: the chardev driver reports them, the health check reads them.
        services.AddSingleton<GpioInputFaults>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IndicatorOptions>();
            var hub = sp.GetRequiredService<EventHub>();
            var board = BoardCatalog.Load().Get(options.Board);
            return new IndicatorService(options, board, GpioDrivers.For(board, sp.GetRequiredService<SimulatedGpioChips>(), faults: sp.GetRequiredService<GpioInputFaults>()), hub,
                hub.Subscribe("indicators", EventDelivery.DropOldest), sp.GetRequiredService<VmStatusBoard>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<IndicatorService>>(),
                sp.GetRequiredService<IJournalReader>(), () => !sp.GetRequiredService<HealthMonitor>().IsUnhealthy,
                sp.GetRequiredService<CriticalEventClassifier>());
        });
        services.AddSingleton<IAlarmAcknowledger>(sp => sp.GetRequiredService<IndicatorService>());

        // MQTT mirror: forwards committed journal rows; stops after the journal writer committed its last batch.
        services.AddSingleton<MqttMirror>();
        services.AddSingleton<IIndicatorStateSink>(sp => sp.GetRequiredService<MqttMirror>());
        services.AddSingleton<IndicatorMirroring>();

        // Journal: every event, committed in groups; critical events at once.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<JournalOptions>();
            JournalMigrationNotice.SendIfMigrating(options.Path, sp.GetRequiredService<SdNotifier>());
            return EventJournal.Open(options);
        });
        services.AddSingleton<IJournalReader>(sp => sp.GetRequiredService<EventJournal>());
        services.AddSingleton(sp => new JournalWriter(sp.GetRequiredService<EventJournal>(),
            sp.GetRequiredService<EventHub>().Subscribe("journal", EventDelivery.Lossless, JournalQueue),
            sp.GetRequiredService<JournalOptions>(), sp.GetRequiredService<ILogger<JournalWriter>>(), sp.GetRequiredService<TimeProvider>()));
        // Checkpoints and retention run inside the writer (its checkpointer thread, its retention chunks between batches).
        services.AddSingleton<IntakeShutdownService>();

        // Emulated VMs, served on their own QMP sockets before the monitors attach to them.
        services.AddSingleton(sp =>
        {
            var host = new EmulatorHost(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>());
            var applianceOptions = sp.GetRequiredService<IOptions<ApplianceOptions>>().Value;
            foreach (var vm in emulated) host.Add(vm.ToOptions(EmulatedVms.MonitorSocket(applianceOptions, vm.Name)));
            return host;
        });
        services.AddSingleton<EmulatorService>();

        // Monitors: one supervisor per VM, each failing alone.
        services.AddSingleton<MonitorRegistry>();
        services.AddSingleton<IVmCommandGateway>(sp => sp.GetRequiredService<MonitorRegistry>());

        // Start in this order, stop in the reverse: indicator lines safe first and last; their changes forwarded to MQTT
        // from before the mirror starts until after it stopped; the mirror after the writer committed its last batch;
        // the intake closed (hub completed, queue drained) once the monitors and emulated VMs have stopped, before the
        // writer stops (its checkpointer and retention stop with it).
        services.AddHostedService(sp => new PipelineLifecycle(
        [
            new("indicators", sp.GetRequiredService<IndicatorService>()),
            new("indicator-mirroring", sp.GetRequiredService<IndicatorMirroring>()),
            new("mqtt", sp.GetRequiredService<MqttMirror>()),
            new("journal-writer", sp.GetRequiredService<JournalWriter>()),
            new("intake", sp.GetRequiredService<IntakeShutdownService>()),
            new("emulator", sp.GetRequiredService<EmulatorService>()),
            new("monitors", sp.GetRequiredService<MonitorRegistry>()),
        ], sp.GetRequiredService<ILogger<PipelineLifecycle>>()));

        // Seeing it: status document, control socket, systemd, dashboard.
        services.AddSingleton(sp => new RecentEventsSection(sp.GetRequiredService<EventHub>().Subscribe("recent", EventDelivery.DropOldest, 256)));
        services.AddHostedService(sp => sp.GetRequiredService<RecentEventsSection>());
        services.AddSingleton<IStatusSection, HealthStatusSection>();
        services.AddSingleton<IStatusSection, VmsStatusSection>();
        services.AddSingleton<IStatusSection, IndicatorsStatusSection>();
        services.AddSingleton<IStatusSection, MqttStatusSection>();
        services.AddSingleton<IStatusSection, JournalStatusSection>();
        services.AddSingleton<IStatusSection>(sp => sp.GetRequiredService<RecentEventsSection>());
        services.AddSingleton(sp => new StatusDocument(sp.GetServices<IStatusSection>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<ApplianceOptions>>().Value.Node));
        services.AddSingleton(sp => new ControlSocketServer(sp.GetRequiredService<IOptions<ApplianceOptions>>().Value.ControlSocketPath,
            sp.GetRequiredService<StatusDocument>(), sp.GetRequiredService<VmStatusBoard>(), sp.GetRequiredService<IAlarmAcknowledger>(),
            sp.GetRequiredService<ILogger<ControlSocketServer>>()));
        services.AddHostedService(sp => sp.GetRequiredService<ControlSocketServer>());
        services.AddApplianceHealth();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        services.AddHostedService(sp => new SystemdNotifyService(sp.GetRequiredService<SdNotifier>(), sp.GetRequiredService<HealthMonitor>(),
            new StatusLine(sp.GetRequiredService<VmStatusBoard>(), sp.GetRequiredService<JournalWriter>(), sp.GetRequiredService<MqttMirror>()).Format,
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SystemdNotifyService>>()));
        if (dashboard)
        {
            services.AddHostedService<DashboardService>();
        }
        return services;
    }
}

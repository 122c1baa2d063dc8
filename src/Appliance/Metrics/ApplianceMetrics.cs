using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Configuration;
using Appliance.Host.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Host.Metrics;

/// <summary>Renders what the appliance already counts (status board, monitor, journal and mirror counters,
/// indicators, health) as Prometheus metrics. It keeps no bookkeeping of its own besides the event tally.</summary>
internal sealed class ApplianceMetrics(
    ApplianceOptions appliance,
    VmStatusBoard board,
    MonitorRegistry monitors,
    EventTally tally,
    EventJournal journal,
    JournalWriter writer,
    MqttMirror mirror,
    IndicatorService indicators,
    HealthMonitor health)
{
    /// <summary>QEMU's run states (qapi RunState), plus <c>unknown</c> before the first snapshot.</summary>
    private static readonly string[] RunStates =
    [
        "unknown", "debug", "inmigrate", "internal-error", "io-error", "paused", "postmigrate", "prelaunch", "finish-migrate",
        "restore-vm", "running", "save-vm", "shutdown", "suspended", "watchdog", "guest-panicked", "colo",
    ];

    private static readonly MonitorState[] MonitorStates = Enum.GetValues<MonitorState>();
    private static readonly IndicatorPattern[] Patterns = Enum.GetValues<IndicatorPattern>();

    /// <summary>The whole exposition, UTF-8.</summary>
    public byte[] Render()
    {
        var w = new ExpositionWriter();
        w.Family("appliance_info", "gauge", "Always 1; labels name the version and node.")
            .Sample("appliance_info", 1, ("version", Cli.ApplianceCli.Version), ("node", appliance.Node));
        WriteHealth(w);
        WriteVms(w);
        WriteJournal(w);
        WriteMqtt(w);
        WriteIndicators(w);
        return w.ToUtf8();
    }

    private static readonly (HealthStatus Status, string Label)[] HealthLabels =
        [(HealthStatus.Healthy, "healthy"), (HealthStatus.Degraded, "degraded"), (HealthStatus.Unhealthy, "unhealthy")];

    private void WriteHealth(ExpositionWriter w)
    {
        var current = health.Current;
        w.Family("appliance_health_status", "gauge", "1 for the appliance's current health status (the watchdog stops only on unhealthy).");
        foreach (var (status, label) in HealthLabels) w.Sample("appliance_health_status", current.Status == status ? 1 : 0, ("status", label));
        w.Family("appliance_health_check_status", "gauge", "1 for each component's current health status.");
        foreach (var check in current.Checks)
        {
            foreach (var (status, label) in HealthLabels) w.Sample("appliance_health_check_status", check.Status == status ? 1 : 0, ("check", check.Name), ("status", label));
        }
    }

    private void WriteVms(ExpositionWriter w)
    {
        var vms = board.All;
        w.Family("appliance_vm_run_state", "gauge", "1 for the VM's current QEMU run state, 0 for the others.");
        foreach (var vm in vms)
        {
            foreach (string state in RunStates) w.Sample("appliance_vm_run_state", vm.RunStatus == state ? 1 : 0, ("vm", vm.Vm), ("state", state));
            if (!RunStates.Contains(vm.RunStatus)) w.Sample("appliance_vm_run_state", 1, ("vm", vm.Vm), ("state", vm.RunStatus));
        }
        w.Family("appliance_vm_monitor_state", "gauge", "1 for the VM's current QMP monitor connection state, 0 for the others.");
        foreach (var vm in vms)
        {
            foreach (var state in MonitorStates)
            {
                w.Sample("appliance_vm_monitor_state", vm.Monitor == state ? 1 : 0, ("vm", vm.Vm), ("state", state.ToString().ToLowerInvariant()));
            }
        }
        w.Family("appliance_vm_alarms", "gauge", "Latched alarms awaiting acknowledgement.");
        foreach (var vm in vms) w.Sample("appliance_vm_alarms", vm.Alarms.Count, ("vm", vm.Vm));

        var counters = monitors.VmNames.Order(StringComparer.Ordinal)
            .Select(name => (Vm: name, Counters: monitors.Find(name)?.Counters)).Where(c => c.Counters is not null).ToArray();
        MonitorFamily(w, counters, "appliance_vm_monitor_connects_total", "Successful monitor negotiations (the first connect and every reconnect).", c => c.Connects);
        MonitorFamily(w, counters, "appliance_vm_monitor_reconnects_total", "Monitor negotiations after the first one.", c => Math.Max(0, c.Connects - 1));
        MonitorFamily(w, counters, "appliance_vm_monitor_connect_failures_total", "Monitor connection attempts that failed.", c => c.ConnectFailures);
        MonitorFamily(w, counters, "appliance_vm_monitor_stalls_total", "Monitor stall checks that went unanswered in time.", c => c.Stalls);
        MonitorFamily(w, counters, "appliance_vm_monitor_malformed_lines_total", "Monitor lines that were not valid QMP and were skipped.", c => c.MalformedLines);

        w.Family("appliance_vm_events_total", "counter", "QMP events received since start, by VM and event type.");
        foreach (var (key, count) in tally.Events()) w.Sample("appliance_vm_events_total", count, ("vm", key.Vm), ("event", key.Event));
        w.Family("appliance_vm_critical_events_total", "counter", "Critical events received since start, by VM.");
        foreach (var (vm, count) in tally.Critical()) w.Sample("appliance_vm_critical_events_total", count, ("vm", vm));
        w.Family("appliance_metrics_events_missed_total", "counter", "Events the metrics' event tally missed (queue full or too many series).");
        w.Sample("appliance_metrics_events_missed_total", tally.Dropped + tally.Overflow);
    }

    private static void MonitorFamily(ExpositionWriter w, (string Vm, MonitorCounters? Counters)[] counters, string name, string help, Func<MonitorCounters, long> value)
    {
        w.Family(name, "counter", help);
        foreach (var (vm, c) in counters) w.Sample(name, value(c!), ("vm", vm));
    }

    private void WriteJournal(ExpositionWriter w)
    {
        var c = writer.Counters;
        Single(w, "appliance_journal_rows_total", "counter", "Journal rows committed since start.", c.Rows);
        Single(w, "appliance_journal_batches_total", "counter", "Journal transactions committed since start.", c.Batches);
        Single(w, "appliance_journal_syncs_total", "counter", "Syncs of the journal's write-ahead log to disk since start.", c.Syncs);
        var lane = writer.CriticalLaneCounts;
        Single(w, "appliance_journal_critical_lane_up", "gauge", "1 while the critical lane makes critical events durable ahead of their commit.", lane is null ? 0 : 1);
        Single(w, "appliance_journal_critical_lane_records_total", "counter", "Critical events the lane wrote to journal.db-critical since start.", lane?.Written ?? 0);
        Single(w, "appliance_journal_critical_lane_skipped_total", "counter", "Critical events the lane left to their synced commit (no room, too large, a failed write).", lane?.Skipped ?? 0);
        Single(w, "appliance_journal_event_bytes_total", "counter", "Raw event bytes committed to the journal since start.", c.Bytes);
        Single(w, "appliance_journal_commit_errors_total", "counter", "Failed journal commit attempts (each is retried).", c.Errors);
        Single(w, "appliance_journal_pending_rows", "gauge", "Rows held in memory awaiting a retried commit.", c.PendingRows);
        Single(w, "appliance_journal_last_commit_seconds", "gauge", "Duration of the last journal commit.", c.LastCommitLatency.TotalSeconds);
        Single(w, "appliance_journal_max_commit_seconds", "gauge", "Longest journal commit since start.", c.MaxCommitLatency.TotalSeconds);
        w.Histogram("appliance_journal_commit_seconds", "Duration of each journal commit since start.", c.CommitLatency);
        Single(w, "appliance_journal_last_seq", "gauge", "Sequence number of the last committed event.", journal.LastCommittedSeq);
        Single(w, "appliance_journal_size_bytes", "gauge", "Size of the journal database on disk.", journal.UsedBytes);
        Single(w, "appliance_journal_pruned_total", "counter", "Events retention removed, over the journal's lifetime.", journal.PrunedCount);
    }

    private void WriteMqtt(ExpositionWriter w)
    {
        var c = mirror.Counters;
        Single(w, "appliance_mqtt_connected", "gauge", "1 while the MQTT mirror is connected to its broker.", mirror.IsConnected ? 1 : 0);
        Single(w, "appliance_mqtt_backlog_events", "gauge", "Committed events the broker has not acknowledged yet.", mirror.BacklogDepth);
        Single(w, "appliance_mqtt_backlog_age_seconds", "gauge", "Age of the oldest committed event the broker has not acknowledged yet (0 when none).", mirror.BacklogAge.TotalSeconds);
        Single(w, "appliance_mqtt_delivered_total", "counter", "Event messages the broker acknowledged.", c.Acknowledged);
        Single(w, "appliance_mqtt_published_total", "counter", "Event messages handed to the broker, including re-sends.", c.Published);
        Single(w, "appliance_mqtt_rejected_total", "counter", "Acknowledgements carrying a failure reason code.", c.Rejected);
        Single(w, "appliance_mqtt_quarantined_total", "counter", "Events given up on for MQTT (too large, malformed, rejected too often).", c.Quarantined);
        Single(w, "appliance_mqtt_skipped_backlog_total", "counter", "Events skipped for MQTT past Mqtt:MaxBacklogAge or Mqtt:MaxBacklogEvents (kept in the journal).", c.SkippedForBacklog);
        Single(w, "appliance_mqtt_lost_to_retention_total", "counter", "Events journal retention removed before the mirror sent them.", c.LostToRetention);
        Single(w, "appliance_mqtt_commands_total", "counter", "Commands received over MQTT.", c.Commands);
        Single(w, "appliance_mqtt_command_errors_total", "counter", "Commands received over MQTT that failed.", c.CommandErrors);
        Single(w, "appliance_mqtt_commands_queue_full_total", "counter", "Commands refused because the VM's command queue was full.", c.CommandsQueueFull);
        Single(w, "appliance_mqtt_commands_rate_limited_total", "counter", "Commands refused by the per-VM rate limit.", c.CommandsRateLimited);
        Single(w, "appliance_mqtt_reply_topics_refused_total", "counter", "Commands refused for a reply topic outside the reply filter or with a wildcard.", c.ReplyTopicsRefused);
    }

    private void WriteIndicators(ExpositionWriter w)
    {
        var states = indicators.Indicators.States;
        w.Family("appliance_indicator_state", "gauge", "1 for the indicator's current pattern, 0 for the others.");
        foreach (var s in states)
        {
            foreach (var pattern in Patterns)
            {
                w.Sample("appliance_indicator_state", s.Pattern == pattern ? 1 : 0,
                    ("indicator", s.Name), ("kind", s.Kind.ToString().ToLowerInvariant()), ("state", pattern.ToString().ToLowerInvariant()));
            }
        }
    }

    private static void Single(ExpositionWriter w, string name, string type, string help, double value) =>
        w.Family(name, type, help).Sample(name, value);
}

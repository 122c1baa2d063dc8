using System.Text.Json;
using Appliance.Host.Dashboard;

namespace Appliance.Tests.Dashboard;

public sealed class DashboardRendererTests
{
    private const string Status = """
    {
      "version": "1.2.3", "node": "box1", "started": "2026-01-01T00:00:00Z", "now": "2026-01-01T01:00:00Z",
      "vms": [ { "name": "vm1", "monitor": "running", "run-status": "paused", "events": 42, "last-event": "STOP",
                 "last-event-at": "2026-01-01T00:59:50Z", "alarms": ["WATCHDOG"] } ],
      "indicators": [ { "name": "status", "kind": "led", "pin": "STATUS", "state": "blink", "level": true },
                      { "name": "alarm-relay", "kind": "relay", "pin": "RELAY", "state": "off", "level": false } ],
      "mqtt": { "link": "connected", "broker": "localhost:1883", "backlog": 7, "delivered": 100, "quarantined": 0 },
      "journal": { "path": "/var/lib/appliance/journal.db", "rows": 1000, "last-seq": 1000, "rate": "12", "size-bytes": 2097152 },
      "recent-events": [ { "vm": "vm1", "event": "WATCHDOG", "received": "2026-01-01T00:59:40Z", "critical": true, "data": "{\"action\":\"reset\"}" } ]
    }
    """;

    private static string[] Render()
    {
        using var doc = JsonDocument.Parse(Status);
        return [.. DashboardRenderer.Render(doc.RootElement, 140, ["info one log line"]).Select(AnsiText.Strip)];
    }

    [Fact]
    public void Shows_each_vm_with_monitor_state_run_status_last_event_and_alarms()
    {
        var line = Assert.Single(Render(), l => l.TrimStart().StartsWith("vm1 ", StringComparison.Ordinal));
        Assert.Contains("running", line, StringComparison.Ordinal);
        Assert.Contains("paused", line, StringComparison.Ordinal);
        Assert.Contains("STOP (10s ago)", line, StringComparison.Ordinal);
        Assert.Contains("WATCHDOG", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_lit_and_dark_lamps_with_their_state()
    {
        var lamps = Assert.Single(Render(), l => l.Contains("status", StringComparison.Ordinal) && l.Contains("alarm-relay", StringComparison.Ordinal));
        Assert.Contains("● status", lamps, StringComparison.Ordinal);
        Assert.Contains("○ alarm-relay", lamps, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_mqtt_backlog_journal_size_recent_events_and_log_tail()
    {
        var lines = Render();
        Assert.Contains(lines, l => l.StartsWith("MQTT", StringComparison.Ordinal) && l.Contains("backlog 7", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Journal", StringComparison.Ordinal) && l.Contains("2.0 MiB", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("WATCHDOG", StringComparison.Ordinal) && l.Contains("00:59:40", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("info one log line", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_sections_render_without_failing()
    {
        using var doc = JsonDocument.Parse("""{"version": "1", "node": "n"}""");
        Assert.NotEmpty(DashboardRenderer.Render(doc.RootElement, 80));
    }
}

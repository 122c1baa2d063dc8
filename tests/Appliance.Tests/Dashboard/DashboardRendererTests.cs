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
      "mqtt": { "link": "connected", "broker": "localhost:1883", "backlog": 7, "backlog-age-seconds": 12.5, "delivered": 100, "quarantined": 0 },
      "journal": { "path": "/var/lib/appliance/journal.db", "rows": 1000, "last-seq": 1000, "rate": 12.5, "size-bytes": 2097152 },
      "recent-events": [ { "vm": "vm1", "event": "WATCHDOG", "received": "2026-01-01T00:59:40Z", "critical": true, "data": {"action": "reset"} } ]
    }
    """;

    private static string[] Render()
    {
        using var doc = JsonDocument.Parse(Status);
        return [.. DashboardRenderer.Render(doc.RootElement, 140, logTail: ["info one log line"]).Select(AnsiText.Strip)];
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
        Assert.Contains(lines, l => l.StartsWith("MQTT", StringComparison.Ordinal) && l.Contains("backlog 7 (oldest 12.5 s)", StringComparison.Ordinal));
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

    private static string[] RenderBusy(int width, int height)
    {
        var vms = string.Join(",", Enumerable.Range(1, 3).Select(i => $$"""{ "name": "vm{{i}}", "monitor": "running", "run-status": "running", "events": {{i}}, "last-event": "RESUME", "alarms": [] }"""));
        var events = string.Join(",", Enumerable.Range(0, 12).Select(i => $$"""{ "vm": "vm1", "event": "BALLOON_CHANGE", "received": "2026-01-01T00:59:{{i:00}}Z", "critical": false, "data": { "actual": 1073741824, "padding": "{{new string('x', 150)}}" } }"""));
        using var doc = JsonDocument.Parse($$"""
            { "version": "1.2.3+0123456789abcdef0123456789abcdef01234567", "node": "box1", "started": "2026-01-01T00:00:00Z", "now": "2026-01-01T01:00:00Z",
              "vms": [{{vms}}],
              "indicators": [ { "name": "status", "kind": "led", "pin": "STATUS", "state": "on", "level": true } ],
              "mqtt": { "link": "connected", "broker": "a-rather-long-broker-name.example.lan:8883", "backlog": 7, "delivered": 1000000, "quarantined": 0 },
              "journal": { "path": "/var/lib/appliance/with/a/long/path/to/the/journal/file/journal.db", "rows": 123456789, "rate": 1234.5, "size-bytes": 2097152 },
              "recent-events": [{{events}}] }
            """);
        var log = Enumerable.Range(0, 16).Select(i => $"04:00:{i:00} info Component: a log line that is much longer than eighty columns, to be cut and not wrapped").ToList();
        return [.. DashboardRenderer.Render(doc.RootElement, width, height, log, "q quits").Select(AnsiText.Strip)];
    }

    [Fact]
    public void At_80x24_every_part_shows_with_three_events_and_no_line_reaches_the_last_column()
    {
        var lines = RenderBusy(80, 24);
        Assert.True(lines.Length <= 24);
        Assert.All(lines, l => Assert.True(l.Length <= 79, l));
        Assert.StartsWith("Appliance 1.2.3+0123456 ", lines[0], StringComparison.Ordinal);
        Assert.Contains("q quits", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Count(l => l.TrimStart().StartsWith("vm", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Lamps", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("MQTT", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Journal", StringComparison.Ordinal) && l.Contains("rows 123,456,789", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.Contains("BALLOON_CHANGE", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public void A_larger_terminal_shows_every_recent_event_and_the_log()
    {
        var lines = RenderBusy(200, 50);
        Assert.True(lines.Length <= 50);
        Assert.Equal(12, lines.Count(l => l.Contains("BALLOON_CHANGE", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Log", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 199, l));
    }

    [Fact]
    public void Many_vms_on_a_small_terminal_are_summarised_not_scrolled()
    {
        var vms = string.Join(",", Enumerable.Range(1, 40).Select(i => $$"""{ "name": "vm{{i}}", "monitor": "running" }"""));
        using var doc = JsonDocument.Parse($$"""{ "version": "1", "node": "n", "vms": [{{vms}}] }""");
        var lines = DashboardRenderer.Render(doc.RootElement, 80, 24).Select(AnsiText.Strip).ToList();
        Assert.True(lines.Count <= 24);
        Assert.StartsWith("Appliance", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("more", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Journal", StringComparison.Ordinal));
    }

    [Fact]
    public void Cut_keeps_colour_codes_and_marks_the_cut()
    {
        string cut = DashboardRenderer.Cut("\e[1mabcdef\e[0mghij", 5);
        Assert.Equal("abcd…", AnsiText.Strip(cut));
        Assert.StartsWith("\e[1m", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_pane_leaves_out_the_hosts_lifetime_chatter_but_keeps_its_warnings()
    {
        var tail = new LogTailProvider();
        var lifetime = tail.CreateLogger("Microsoft.Hosting.Lifetime");
        lifetime.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, "Hosting environment: Production", null, (s, _) => s);
        lifetime.Log(Microsoft.Extensions.Logging.LogLevel.Warning, 0, "slow stop", null, (s, _) => s);
        tail.CreateLogger("Appliance.Bridge.Journal.JournalWriter").Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, "journal open", null, (s, _) => s);
        var lines = tail.Tail();
        Assert.Equal(2, lines.Count);
        Assert.DoesNotContain(lines, l => l.Contains("Hosting environment", StringComparison.Ordinal));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Appliance.Host.Dashboard;

/// <summary>Turns a status document into the lines of one dashboard frame (with ANSI colours). No I/O, so it is
/// shared by the in-process dashboard and <c>appliance top</c>, and tested on its own.</summary>
internal static class DashboardRenderer
{
    private const string Reset = "\e[0m", Bold = "\e[1m", Dim = "\e[2m", Red = "\e[31m", Green = "\e[32m", Yellow = "\e[33m", Cyan = "\e[36m";

    public static IReadOnlyList<string> Render(JsonElement status, int width, IReadOnlyList<string>? logTail = null)
    {
        var lines = new List<string>();
        var now = Date(status, "now") ?? DateTimeOffset.UtcNow;
        var started = Date(status, "started") ?? now;
        lines.Add($"{Bold}Appliance {Str(status, "version")}{Reset}  node {Cyan}{Str(status, "node")}{Reset}  up {Uptime(now - started)}  {now:yyyy-MM-dd HH:mm:ss}Z");
        if (status.TryGetProperty("error", out var error)) lines.Add($"{Red}{error.GetString()}{Reset}");
        lines.Add("");

        lines.Add($"{Bold}VMs{Reset}");
        lines.Add($"{Dim}  {"NAME",-16} {"MONITOR",-13} {"STATE",-15} {"EVENTS",8}  {"LAST EVENT",-28} ALARMS{Reset}");
        foreach (var vm in Array(status, "vms"))
        {
            string monitor = Str(vm, "monitor");
            string state = Str(vm, "run-status");
            string last = Str(vm, "last-event");
            if (Date(vm, "last-event-at") is { } at) last += $" ({Ago(now - at)})";
            string alarms = string.Join(",", Array(vm, "alarms").Select(a => a.GetString()));
            lines.Add($"  {Fit(Str(vm, "name"), 16),-16} {Colour($"{monitor,-13}", MonitorColour(monitor))} {Colour($"{Fit(state, 15),-15}", StateColour(state))} {Num(vm, "events"),8}  {Fit(last, 28),-28} {(alarms.Length > 0 ? Red + Bold + alarms + Reset : Dim + "-" + Reset)}");
        }
        lines.Add("");

        lines.Add($"{Bold}Indicators{Reset}");
        var lamps = new StringBuilder("  ");
        foreach (var ind in Array(status, "indicators"))
        {
            string state = Str(ind, "state");
            bool lit = ind.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.True;
            string lamp = lit ? (Str(ind, "name").Contains("alarm", StringComparison.Ordinal) ? Red : Green) + "●" + Reset : Dim + "○" + Reset;
            lamps.Append(CultureInfo.InvariantCulture, $"{lamp} {Str(ind, "name")} {Dim}{Str(ind, "kind")} {Str(ind, "pin")}{Reset} {state}    ");
        }
        lines.Add(lamps.ToString());
        lines.Add("");

        if (status.TryGetProperty("mqtt", out var mqtt))
        {
            string link = Str(mqtt, "link");
            lines.Add($"{Bold}MQTT{Reset}     link {Colour(link, link == "connected" ? Green : Red)}  broker {Str(mqtt, "broker")}  backlog {Num(mqtt, "backlog")}  delivered {Num(mqtt, "delivered")}  quarantined {Num(mqtt, "quarantined")}");
        }
        if (status.TryGetProperty("journal", out var journal))
        {
            lines.Add($"{Bold}Journal{Reset}  rows {Num(journal, "rows")}  last seq {Num(journal, "last-seq")}  {Str(journal, "rate")} ev/s  size {Bytes(journal, "size-bytes")}  {Dim}{Str(journal, "path")}{Reset}");
        }
        lines.Add("");

        lines.Add($"{Bold}Recent events{Reset}");
        foreach (var e in Array(status, "recent-events").Reverse())
        {
            string time = Date(e, "received") is { } r ? r.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "";
            bool critical = e.TryGetProperty("critical", out var c) && c.ValueKind == JsonValueKind.True;
            string text = $"  {time} {Fit(Str(e, "vm"), 12),-12} {Str(e, "event"),-22} {Str(e, "data")}";
            lines.Add(critical ? Red + Fit(text, width) + Reset : Fit(text, width));
        }

        if (logTail is { Count: > 0 })
        {
            lines.Add("");
            lines.Add($"{Bold}Log{Reset}");
            lines.AddRange(logTail.Select(l => Dim + "  " + Fit(l, width - 2) + Reset));
        }
        return lines;
    }

    private static IEnumerable<JsonElement> Array(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];

    private static string Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? "" : v.GetRawText()
            : "";

    private static string Num(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.TryGetInt64(out long n) ? n.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static string Bytes(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v) || !v.TryGetInt64(out long n)) return "-";
        return n switch
        {
            >= 1 << 30 => $"{n / (double)(1 << 30):0.0} GiB",
            >= 1 << 20 => $"{n / (double)(1 << 20):0.0} MiB",
            >= 1 << 10 => $"{n / 1024.0:0.0} KiB",
            _ => $"{n} B",
        };
    }

    private static DateTimeOffset? Date(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var d) ? d : null;

    private static string Fit(string text, int width) => width <= 1 || text.Length <= width ? text : text[..(width - 1)] + "…";

    private static string Colour(string text, string colour) => colour + text + Reset;

    private static string MonitorColour(string monitor) => monitor switch
    {
        "running" => Green,
        "stalled" or "negotiating" or "connecting" => Yellow,
        _ => Red,
    };

    private static string StateColour(string state) => state switch
    {
        "running" => Green,
        "paused" or "suspended" or "prelaunch" or "inmigrate" or "postmigrate" or "finish-migrate" => Yellow,
        _ => Red,
    };

    private static string Uptime(TimeSpan t) => t.TotalDays >= 1 ? $"{(int)t.TotalDays}d{t:hh\\:mm\\:ss}" : t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private static string Ago(TimeSpan t) => t.TotalSeconds < 60 ? $"{Math.Max(0, (int)t.TotalSeconds)}s ago" : t.TotalMinutes < 60 ? $"{(int)t.TotalMinutes}m ago" : $"{(int)t.TotalHours}h ago";
}

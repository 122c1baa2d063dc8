using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Appliance.Host.Dashboard;

/// <summary>Turns a status document into the lines of one dashboard frame (with ANSI colours). No I/O, so it is
/// shared by the in-process dashboard, <c>appliance status</c> and <c>appliance top</c>, and tested on its own.</summary>
/// <remarks>The frame fits the terminal: at most <c>height</c> lines, each cut (never wrapped) to one column less
/// than the width (writing the last column leaves some terminals about to wrap). Header, VMs, lamps, MQTT and
/// journal always show; at least three recent events when there are any; extra rows go to more events and the log.</remarks>
internal static class DashboardRenderer
{
    private const string Reset = "\e[0m", Bold = "\e[1m", Dim = "\e[2m", Red = "\e[31m", Green = "\e[32m", Yellow = "\e[33m", Cyan = "\e[36m";

    /// <summary>Fewest recent events a frame shows when there are that many.</summary>
    public const int MinimumEvents = 3;

    /// <summary>Renders one frame.</summary>
    /// <param name="status">The status document.</param>
    /// <param name="width">Terminal columns.</param>
    /// <param name="height">Terminal rows (<see cref="int.MaxValue"/>: no limit, for a pipe).</param>
    /// <param name="logTail">The last log lines, newest last, or null.</param>
    /// <param name="hint">How to leave, shown in the header (e.g. "q quits").</param>
    public static IReadOnlyList<string> Render(JsonElement status, int width, int height = int.MaxValue, IReadOnlyList<string>? logTail = null, string? hint = null)
    {
        bool wide = width >= 120;
        var now = Date(status, "now") ?? DateTimeOffset.UtcNow;
        var started = Date(status, "started") ?? now;
        var top = new List<string>
        {
            // The hint comes early so that a long node name cuts the clock, not how to leave.
            $"{Bold}Appliance {ShortVersion(Str(status, "version"))}{Reset}" + (hint is null ? "" : $"  {Dim}({hint}){Reset}")
                + $"  node {Cyan}{Str(status, "node")}{Reset}  up {Uptime(now - started)}  {now:HH:mm:ss}Z",
        };
        if (status.TryGetProperty("error", out var error)) top.Add($"{Red}{error.GetString()}{Reset}");

        var vms = Array(status, "vms").ToList();
        // Leave room for lamps, MQTT, journal and the minimum of events below the table.
        int vmRoom = Math.Max(1, height - top.Count - 5 - (1 + MinimumEvents));
        int nameWidth = wide ? 20 : 12, lastWidth = wide ? 34 : 20;
        top.Add($"{Bold}VMs{Reset} {Dim}{"NAME".PadRight(nameWidth - 2)} {"MONITOR",-10} {"STATE",-10} {"EVENTS",7}  {"LAST EVENT".PadRight(lastWidth)} ALARMS{Reset}");
        int shown = vms.Count <= vmRoom ? vms.Count : vmRoom - 1;
        foreach (var vm in vms.Take(shown)) top.Add(VmLine(vm, now, nameWidth, lastWidth));
        if (shown < vms.Count) top.Add($"  {Dim}… and {vms.Count - shown} more (appliance status shows all){Reset}");
        top.Add(Lamps(status, wide));
        top.Add(Mqtt(status));
        top.Add(Journal(status));

        var events = Array(status, "recent-events").Reverse().Select(e => EventLine(e, wide)).ToList();
        var log = (logTail ?? []).Select(l => Dim + "  " + l + Reset).ToList();

        // Rows left after the fixed part and the events heading: events first (at least the minimum), then the log.
        int room = height == int.MaxValue ? int.MaxValue : Math.Max(0, height - top.Count - 1);
        int eventRows = Math.Min(events.Count, Math.Max(Math.Min(MinimumEvents, room), room - (log.Count > 0 ? 1 + log.Count : 0)));
        int logRows = log.Count == 0 ? 0 : Math.Min(log.Count, Math.Max(0, room - eventRows - 1));

        var lines = new List<string>(top) { $"{Bold}Recent events{Reset}" };
        lines.AddRange(events.Take(eventRows));
        if (logRows > 0)
        {
            lines.Add($"{Bold}Log{Reset}");
            lines.AddRange(log.Skip(log.Count - logRows));
        }
        return [.. lines.Take(height).Select(l => Cut(l, width - 1))];
    }

    /// <summary>The version without the build's full commit hash: "1.2.3+0123456789abcdef" becomes "1.2.3+0123456".</summary>
    public static string ShortVersion(string version)
    {
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }

    /// <summary>Cuts a line with ANSI escapes to <paramref name="columns"/> visible characters, marking the cut with "…".</summary>
    public static string Cut(string line, int columns)
    {
        if (columns < 1) return "";
        if (VisibleLength(line) <= columns) return line;
        var cut = new StringBuilder(line.Length);
        int visible = 0;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '\e')
            {
                int end = i + 1;
                while (end < line.Length && !char.IsAsciiLetter(line[end])) end++;
                cut.Append(line, i, Math.Min(end + 1, line.Length) - i);
                i = end;
                continue;
            }
            if (visible == columns - 1)
            {
                cut.Append('…');
                break;
            }
            cut.Append(line[i]);
            visible++;
        }
        return cut.Append(Reset).ToString();
    }

    private static int VisibleLength(string line) => AnsiText.Strip(line).Length;

    private static string VmLine(JsonElement vm, DateTimeOffset now, int nameWidth, int lastWidth)
    {
        string monitor = Str(vm, "monitor");
        string state = Str(vm, "run-status");
        string last = Str(vm, "last-event");
        if (Date(vm, "last-event-at") is { } at) last += $" ({Ago(now - at)})";
        string alarms = string.Join(",", Array(vm, "alarms").Select(a => a.GetString()));
        return $"  {Fit(Str(vm, "name"), nameWidth).PadRight(nameWidth)} {Colour($"{Fit(monitor, 10),-10}", MonitorColour(monitor))} {Colour($"{Fit(state, 10),-10}", StateColour(state))} "
            + $"{Num(vm, "events"),7}  {Fit(last, lastWidth).PadRight(lastWidth)} {(alarms.Length > 0 ? Red + Bold + alarms + Reset : Dim + "-" + Reset)}";
    }

    private static string Lamps(JsonElement status, bool wide)
    {
        var lamps = new StringBuilder($"{Bold}Lamps{Reset}   ");
        foreach (var ind in Array(status, "indicators"))
        {
            bool lit = ind.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.True;
            string name = Str(ind, "name");
            string lamp = lit ? (name.Contains("alarm", StringComparison.Ordinal) ? Red : Green) + "●" + Reset : Dim + "○" + Reset;
            string detail = wide ? $" {Dim}{Str(ind, "kind")} {Str(ind, "pin")}{Reset}" : "";
            lamps.Append(CultureInfo.InvariantCulture, $"{lamp} {name}{detail} {Str(ind, "state")}  ");
        }
        return lamps.ToString();
    }

    private static string Mqtt(JsonElement status)
    {
        if (!status.TryGetProperty("mqtt", out var mqtt)) return $"{Bold}MQTT{Reset}    {Dim}-{Reset}";
        string link = Str(mqtt, "link");
        return $"{Bold}MQTT{Reset}    {Colour(link, link == "connected" ? Green : Red)}  {Str(mqtt, "broker")}  backlog {Num(mqtt, "backlog")} (oldest {Str(mqtt, "backlog-age-seconds")} s)  delivered {Num(mqtt, "delivered")}  quarantined {Num(mqtt, "quarantined")}";
    }

    private static string Journal(JsonElement status)
    {
        if (!status.TryGetProperty("journal", out var journal)) return $"{Bold}Journal{Reset} {Dim}-{Reset}";
        string rate = journal.TryGetProperty("rate", out var r) && r.TryGetDouble(out double perSecond) ? perSecond.ToString("0.#", CultureInfo.InvariantCulture) : Str(journal, "rate");
        return $"{Bold}Journal{Reset} rows {Num(journal, "rows")}  {rate} ev/s  {Bytes(journal, "size-bytes")}  {Dim}{Str(journal, "path")}{Reset}";
    }

    private static string EventLine(JsonElement e, bool wide)
    {
        string time = Date(e, "received") is { } r ? r.ToString(wide ? "HH:mm:ss.fff" : "HH:mm:ss", CultureInfo.InvariantCulture) : "";
        bool critical = e.TryGetProperty("critical", out var c) && c.ValueKind == JsonValueKind.True;
        string text = $"  {time} {Fit(Str(e, "vm"), 12),-12} {Str(e, "event"),-20} {Str(e, "data")}";
        return critical ? Red + text + Reset : text;
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

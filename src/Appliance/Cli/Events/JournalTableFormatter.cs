using Appliance.Bridge.Journal;
using System.Globalization;
using System.Text;
using Appliance.Bridge.Pipeline;

namespace Appliance.Host.Cli.Events;

/// <summary>Writes journal rows as the human table of <c>appliance events</c>: one line per row, data cut to fit.</summary>
internal static class JournalTableFormatter
{
    private const int DataWidth = 60;

    /// <summary>The column headings.</summary>
    public static string Header { get; } = Line("SEQ", "RECEIVED (UTC)", "VM", "EVENT", "FLAGS", "DATA");

    /// <summary>One row as a line (no newline).</summary>
    public static string Format(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var data = JournalEventData.Find(entry.RawJson);
        string text = data.IsEmpty ? "" : Encoding.UTF8.GetString(data.Span).ReplaceLineEndings(" ");
        if (text.Length > DataWidth) text = string.Concat(text.AsSpan(0, DataWidth - 3), "...");
        string flags = (entry.Flags & VmEventFlags.Critical) != 0 ? "critical" : (entry.Flags & VmEventFlags.Gap) != 0 ? "gap" : "-";
        return Line(entry.Seq.ToString(CultureInfo.InvariantCulture),
            entry.Received.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            entry.Vm, entry.Event, flags, text);
    }

    private static string Line(string seq, string received, string vm, string name, string flags, string data) =>
        string.Create(CultureInfo.InvariantCulture, $"{seq,10}  {received,-23}  {vm,-12}  {name,-24}  {flags,-8}  {data}").TrimEnd();
}

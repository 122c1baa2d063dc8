using System.Globalization;
using System.Text;

namespace Appliance.Bench.Harness;

/// <summary>Appends each scenario's table to docs/benchmarks.md, with the date, the machine and the exact command,
/// so the file keeps the history of runs.</summary>
public sealed class MarkdownReport(string path, string command)
{
    /// <summary>The markdown file appended to.</summary>
    public string Path { get; } = path;

    /// <summary>Appends one section for <paramref name="table"/>.</summary>
    public void Append(ResultTable table, string mode)
    {
        var sb = new StringBuilder();
        sb.AppendLine().Append("### ").Append(table.Title).Append(" (").Append(mode).Append(", ")
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).AppendLine(")").AppendLine();
        sb.Append("Machine: ").AppendLine(MachineInfo.Describe()).AppendLine();
        sb.Append("Command: `").Append(command).AppendLine("`").AppendLine();
        sb.Append(table.ToMarkdown());
        File.AppendAllText(Path, sb.ToString());
    }
}

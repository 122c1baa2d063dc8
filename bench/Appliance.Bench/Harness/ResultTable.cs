using System.Text;

namespace Appliance.Bench.Harness;

/// <summary>One scenario's figures: a titled table plus notes (targets met or missed, what was skipped).</summary>
public sealed class ResultTable(string title, params string[] columns)
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    /// <summary>The scenario's title.</summary>
    public string Title { get; } = title;

    /// <summary>Column headings.</summary>
    public IReadOnlyList<string> Columns { get; } = columns;

    /// <summary>Rows added so far.</summary>
    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>Notes under the table.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Adds a row; it must have one cell per column.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != Columns.Count)
            throw new ArgumentException($"row has {cells.Length} cells, table '{Title}' has {Columns.Count} columns", nameof(cells));
        _rows.Add(cells);
    }

    /// <summary>Adds a note printed under the table.</summary>
    public void Note(string text) => _notes.Add(text);

    /// <summary>The table as GitHub markdown.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", Columns).AppendLine(" |");
        sb.Append('|').AppendJoin("|", Columns.Select(_ => " --- ")).AppendLine("|");
        foreach (var row in _rows) sb.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        if (_notes.Count > 0) sb.AppendLine();
        foreach (string note in _notes) sb.Append("- ").AppendLine(note);
        return sb.ToString();
    }

    /// <summary>The table aligned for a terminal.</summary>
    public string ToConsole()
    {
        int[] widths = Columns.Select((c, i) => Math.Max(c.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder().AppendLine().AppendLine("== " + Title);
        sb.AppendLine(string.Join("  ", Columns.Select((c, i) => c.PadRight(widths[i]))));
        foreach (var row in _rows) sb.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
        foreach (string note in _notes) sb.Append("  * ").AppendLine(note);
        return sb.ToString();
    }
}

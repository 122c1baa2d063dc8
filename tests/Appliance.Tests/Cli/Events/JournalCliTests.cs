using System.Buffers;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Host.Cli.Events;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Tests.Cli.Events;

public sealed class JournalCliTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static JournalEntry Entry(string raw, VmEventFlags flags = VmEventFlags.None) =>
        new(42, "vm1", "BLOCK_IO_ERROR", new QmpTimestamp(1763726400, 123456), new DateTimeOffset(2026, 11, 21, 10, 0, 0, 250, TimeSpan.Zero),
            Encoding.UTF8.GetBytes(raw), flags);

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("1w", 604800)]
    [InlineData("90s", 90)]
    public void A_duration_counts_back_from_now(string text, int seconds) =>
        Assert.Equal(Now.AddSeconds(-seconds), JournalTimeParser.Parse("--since", text, Now));

    [Fact]
    public void An_iso_time_is_taken_as_given_and_without_offset_as_utc()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), JournalTimeParser.Parse("--until", "2026-11-21T10:00:00Z", Now));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero), JournalTimeParser.Parse("--until", "2026-11-21T10:00:00+01:00", Now));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), JournalTimeParser.Parse("--until", "2026-11-21T10:00:00", Now));
    }

    [Theory]
    [InlineData("10x", "unknown unit 'x'")]
    [InlineData("10", "has no unit")]
    [InlineData("yesterday", "neither a duration")]
    [InlineData("", "a value is required")]
    [InlineData("2026-13-45T99:00:00Z", "neither a duration")]
    public void A_bad_time_is_rejected_naming_the_option_and_the_problem(string text, string problem)
    {
        var e = Assert.Throws<FormatException>(() => JournalTimeParser.Parse("--since", text, Now));
        Assert.StartsWith("--since: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_line_has_seq_vm_event_verbatim_data_timestamp_and_received()
    {
        const string data = """{"device": "ide0-hd0",   "action": "stop", "nested": [1, {"x": 2.50}]}""";
        var buffer = new ArrayBufferWriter<byte>();

        JournalJsonLinesFormatter.Write(buffer, Entry($$$"""{"event": "BLOCK_IO_ERROR", "data": {{{data}}}, "timestamp": {"seconds": 1, "microseconds": 2}}""", VmEventFlags.Critical));

        string line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"\"data\":{data}", line, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal(42, root.GetProperty("seq").GetInt64());
        Assert.Equal("vm1", root.GetProperty("vm").GetString());
        Assert.Equal("BLOCK_IO_ERROR", root.GetProperty("event").GetString());
        Assert.Equal(1763726400, root.GetProperty("timestamp").GetProperty("seconds").GetInt64());
        Assert.Equal(123456, root.GetProperty("timestamp").GetProperty("microseconds").GetInt64());
        Assert.Equal("2026-11-21T10:00:00.25Z", root.GetProperty("received").GetString());
        Assert.True(root.GetProperty("critical").GetBoolean());
    }

    [Fact]
    public void An_event_without_data_has_null_data_in_its_json_line()
    {
        var buffer = new ArrayBufferWriter<byte>();
        JournalJsonLinesFormatter.Write(buffer, Entry("""{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}"""));
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("data").ValueKind);
    }

    [Fact]
    public void A_table_row_shows_seq_time_vm_event_flags_and_shortened_data()
    {
        string row = JournalTableFormatter.Format(Entry($$$"""{"event": "X", "data": {"pad": "{{{new string('y', 200)}}}"}}""", VmEventFlags.Gap));

        Assert.Matches(@"^\s+42  2026-11-21 10:00:00\.250\s+vm1\s+BLOCK_IO_ERROR\s+gap\s+\{""pad"": ""y+\.\.\.$", row);
        Assert.True(row.Length < 200);
        Assert.StartsWith("       SEQ  RECEIVED", JournalTableFormatter.Header, StringComparison.Ordinal);
    }
}

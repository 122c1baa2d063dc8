using System.Buffers;
using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>Lines in QEMU's own layout are stored as their data member only, and every line reads back byte for byte.</summary>
public sealed class JournalRawFormTests
{
    private const string QemuLine =
        """{"timestamp": {"seconds": 1767225600, "microseconds": 42}, "event": "BLOCK_JOB_COMPLETED", "data": {"device": "job0", "len": 10, "offset": 10, "speed": 0, "type": "mirror"}}""";
    private const string CompactLine =
        """{"timestamp":{"seconds":1700000000,"microseconds":999999},"event":"BALLOON_CHANGE","data":{"actual":1073741824}}""";
    private const string NoDataLine = """{"timestamp": {"seconds": 1767225600, "microseconds": 0}, "event": "STOP"}""";

    // Lines a peer may send that no layout rebuilds exactly: each must be stored whole.
    private static readonly string[] OtherLineTexts =
    [
        """{"event": "STOP", "timestamp": {"seconds": 1767225600, "microseconds": 1}}""",
        """{"timestamp": {"seconds": 1767225600, "microseconds": 1}, "event": "STOP", "data": {}, "x-extra": 1}""",
        """{"timestamp": {"seconds": 1767225600,  "microseconds": 1}, "event": "STOP"}""",
        """{"timestamp": {"seconds": 1767225600, "microseconds": 1}, "event": "\u0053TOP"}""",
        """{"timestamp": {"seconds": 1, "microseconds": 1000000}, "event": "STOP"}""",
        """{"timestamp": {"seconds": -1, "microseconds": 5}, "event": "STOP"}""",
        """{"timestamp":{"seconds":1700000000,"microseconds":1}, "event":"STOP"}""",
        """{"event": "STOP"}""",
    ];

    public static TheoryData<string> OtherLines => new(OtherLineTexts);

    private static readonly string[] AllLines = [QemuLine, CompactLine, NoDataLine, .. OtherLineTexts];

    [Theory]
    [InlineData(QemuLine, JournalRawForm.QemuLayout)]
    [InlineData(CompactLine, JournalRawForm.CompactLayout)]
    [InlineData(NoDataLine, JournalRawForm.QemuLayout)]
    public void A_line_in_a_known_layout_is_stored_as_its_data_member_and_restored_exactly(string line, long layout)
    {
        var e = TestEvents.Line(line).Event;
        long timestampUs = e.Timestamp.TotalMicroseconds;

        var stored = JournalRawForm.Shorten(e, timestampUs, new ArrayBufferWriter<byte>(), out long storedLayout).ToArray();

        Assert.Equal(layout, storedLayout);
        Assert.Equal(Encoding.UTF8.GetString(e.Data.Span), Encoding.UTF8.GetString(stored));
        Assert.Equal(line, Encoding.UTF8.GetString(JournalRawForm.Restore(storedLayout, e.Name, timestampUs, stored)));
    }

    [Theory]
    [MemberData(nameof(OtherLines))]
    public void A_line_no_layout_rebuilds_exactly_is_stored_whole(string line)
    {
        var e = TestEvents.Line(line).Event;

        var stored = JournalRawForm.Shorten(e, e.Timestamp.TotalMicroseconds, new ArrayBufferWriter<byte>(), out long storedLayout).ToArray();

        Assert.Equal(0, storedLayout);
        Assert.Equal(line, Encoding.UTF8.GetString(stored));
    }

    [Fact]
    public void Rows_read_back_with_their_lines_as_received_and_their_flags_from_their_own_columns()
    {
        using var dir = new TempDirectory();
        using var journal = EventJournal.Open(new JournalOptions { Path = dir.File("journal.db") });
        string[] lines = AllLines;

        journal.Append([.. lines.Select(l => TestEvents.Line(l, flags: VmEventFlags.Critical))]);

        var rows = journal.ReadAfter(0, 100);
        Assert.Equal(lines, rows.Select(r => Encoding.UTF8.GetString(r.RawJson)));
        Assert.All(rows, r => Assert.Equal(VmEventFlags.Critical, r.Flags));
        Assert.Equal(3, journal.Writer.ExecuteScalar("SELECT count(*) FROM events WHERE layout != 0"));
        Assert.Equal(lines.Length, journal.Writer.ExecuteScalar("SELECT count(*) FROM events WHERE critical AND NOT gap"));
    }

    [Fact]
    public void The_events_json_view_gives_each_line_as_received()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        string[] lines = AllLines;
        using (var journal = EventJournal.Open(new JournalOptions { Path = path }))
        {
            journal.Append([.. lines.Select(l => TestEvents.Line(l, flags: VmEventFlags.Gap))]);
        }

        using var connection = SqliteConnection.Open(path, readOnly: true);
        using var select = connection.Prepare("SELECT line, critical, gap FROM events_json ORDER BY seq");
        var viewed = new List<(string Line, long Critical, long Gap)>();
        while (select.Step()) viewed.Add((select.GetString(0), select.GetInt64(1), select.GetInt64(2)));

        Assert.Equal(lines, viewed.Select(v => v.Line));
        Assert.All(viewed, v => Assert.Equal((0L, 1L), (v.Critical, v.Gap)));
    }
}

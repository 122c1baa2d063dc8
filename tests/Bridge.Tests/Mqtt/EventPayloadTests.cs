using System.Buffers;
using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class EventPayloadTests
{
    private static JournalEntry Row(string raw, string vm = "vm1", QmpTimestamp timestamp = default) =>
        new(42, vm, "STOP", timestamp, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Encoding.UTF8.GetBytes(raw), VmEventFlags.None);

    private static string Write(JournalEntry row, bool replayed = false) => Write(new EventPayload("n1"), row, replayed);

    private static string Write(EventPayload payload, JournalEntry row, bool replayed = false)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Null(payload.TryWrite(output, row, replayed));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Members_are_spliced_before_the_closing_brace_and_trailing_line_end_is_dropped()
    {
        Assert.Equal("""{"event": "STOP" ,"node":"n1","vm":"vm1","seq":42,"event_id":"n1/vm1/42","time":"1970-01-01T00:00:00+00:00","received":"2026-01-02T03:04:05+00:00","replayed":false}""",
            Write(Row("{\"event\": \"STOP\" }\r\n")));
    }

    [Fact]
    public void Time_is_qemus_timestamp_with_its_microseconds()
    {
        Assert.Contains("\"time\":\"2023-11-14T22:13:20.000012+00:00\"", Write(Row("{}", timestamp: new QmpTimestamp(1_700_000_000, 12))), StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestamp_qemu_could_not_take_is_left_out_rather_than_invented()
    {
        Assert.DoesNotContain("\"time\"", Write(Row("{}", timestamp: new QmpTimestamp(-1, -1))), StringComparison.Ordinal);
    }

    [Fact]
    public void Replayed_says_true_for_an_event_from_the_backlog()
    {
        Assert.EndsWith(",\"replayed\":true}", Write(Row("{}"), replayed: true), StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_id_is_node_vm_and_seq_and_is_kept_unescaped_for_the_user_property()
    {
        var payload = new EventPayload("n1");
        Write(payload, Row("{}", "vm-\u00e9"));
        Assert.Equal("n1/vm-\u00e9/42", Encoding.UTF8.GetString(payload.EventId));
    }

    [Fact]
    public void One_writer_reused_for_many_rows_writes_each_row_on_its_own()
    {
        var payload = new EventPayload("n1");
        Write(payload, Row("{\"a\": 1}", "first-vm-with-a-long-name"));
        Assert.Equal("""{"b": 2,"node":"n1","vm":"v2","seq":42,"event_id":"n1/v2/42","time":"1970-01-01T00:00:00+00:00","received":"2026-01-02T03:04:05+00:00","replayed":true}""",
            Write(payload, Row("{\"b\": 2}", "v2"), replayed: true));
    }

    [Fact]
    public void An_empty_object_gets_the_members_without_a_leading_comma()
    {
        Assert.StartsWith("""{ "node":"n1",""", Write(Row("{ }")), StringComparison.Ordinal);
    }

    [Fact]
    public void Vm_names_are_json_escaped()
    {
        Assert.Contains("\"vm\":\"a\\u0022b\"", Write(Row("{}", "a\"b")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1]")]
    [InlineData("{\"event\": \"STOP\"")]
    public void A_row_that_is_not_an_object_is_an_error_naming_its_seq(string raw)
    {
        Assert.Equal("journal row 42 is not a JSON object", new EventPayload("n1").TryWrite(new ArrayBufferWriter<byte>(), Row(raw), replayed: false));
    }
}

using System.Buffers;
using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class EventPayloadTests
{
    private static JournalEntry Row(string raw, string vm = "vm1") =>
        new(42, vm, "STOP", default, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), Encoding.UTF8.GetBytes(raw), VmEventFlags.None);

    private static string Write(JournalEntry row)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Null(EventPayload.TryWrite(output, row, "n1"));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Members_are_spliced_before_the_closing_brace_and_trailing_line_end_is_dropped()
    {
        Assert.Equal("""{"event": "STOP" ,"node":"n1","vm":"vm1","seq":42,"received":"2026-01-02T03:04:05+00:00"}""",
            Write(Row("{\"event\": \"STOP\" }\r\n")));
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
        Assert.Equal("journal row 42 is not a JSON object", EventPayload.TryWrite(new ArrayBufferWriter<byte>(), Row(raw), "n1"));
    }
}

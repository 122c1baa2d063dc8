using System.Text;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Tests;

/// <summary>The event path of <see cref="QmpMessageParser"/>: names, timestamps and the bounded table of names.</summary>
public sealed class QmpEventParsingTests
{
    private static QmpEvent ParseEvent(string line) => Assert.IsType<QmpEvent>(QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line)));

    private static QmpProtocolException Reject(string line) =>
        Assert.Throws<QmpProtocolException>(() => QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void A_documented_event_name_is_the_catalog_string_not_a_copy()
    {
        var e = ParseEvent("""{"event": "BALLOON_CHANGE", "data": {"actual": 1}, "timestamp": {"seconds": 1, "microseconds": 2}}""");
        Assert.Same(QmpEventNames.BalloonChange, e.Name);
    }

    [Fact]
    public void An_escaped_event_name_is_unescaped()
    {
        var e = ParseEvent("""{"event": "BALLOON\u005fCHANGE", "timestamp": {"seconds": 1, "microseconds": 2}}""");
        Assert.Equal(QmpEventNames.BalloonChange, e.Name);
    }

    [Fact]
    public void An_unknown_event_name_is_kept_as_sent()
    {
        var first = ParseEvent("""{"event": "X_VENDOR_THING", "timestamp": {"seconds": 1, "microseconds": 2}}""");
        var second = ParseEvent("""{"event": "X_VENDOR_THING", "timestamp": {"seconds": 3, "microseconds": 4}}""");
        // Equal, not Same: whether it is shared depends on whether the bounded table still had room (another test fills it).
        Assert.Equal("X_VENDOR_THING", first.Name);
        Assert.Equal(first.Name, second.Name);
    }

    [Fact]
    public void A_server_inventing_names_does_not_grow_the_name_table_without_bound()
    {
        for (int i = 0; i < QmpEventNameTable.MaxLearnedNames * 3; i++)
        {
            var e = ParseEvent($$$"""{"event": "X_INVENTED_{{{i}}}", "timestamp": {"seconds": 1, "microseconds": 2}}""");
            Assert.Equal($"X_INVENTED_{i}", e.Name);
        }
        Assert.True(QmpEventNameTable.Count <= QmpEventCatalog.Names.Count + QmpEventNameTable.MaxLearnedNames,
            $"name table holds {QmpEventNameTable.Count} names");
    }

    [Fact]
    public void An_event_name_of_invalid_utf8_is_a_protocol_error()
    {
        byte[] line = [.. "{\"event\": \"BAD_"u8, 0xC3, 0x28, .. "\"}"u8];
        var e = Assert.Throws<QmpProtocolException>(() => QmpMessageParser.Parse(line));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_members_may_come_in_any_order_beside_unknown_ones()
    {
        var e = ParseEvent("""{"timestamp": {"x-extra": {"a": [1]}, "microseconds": 7, "seconds": 9}, "event": "STOP"}""");
        Assert.Equal(new QmpTimestamp(9, 7), e.Timestamp);
    }

    [Fact]
    public void An_event_without_timestamp_has_timestamp_zero()
    {
        Assert.Equal(default, ParseEvent("""{"event": "STOP"}""").Timestamp);
    }

    [Theory]
    [InlineData("""{"event": "STOP", "timestamp": 5}""")]
    [InlineData("""{"event": "STOP", "timestamp": {"seconds": 1}}""")]
    [InlineData("""{"event": "STOP", "timestamp": {"seconds": "1", "microseconds": 2}}""")]
    [InlineData("""{"event": "STOP", "timestamp": {"seconds": 1.5, "microseconds": 2}}""")]
    [InlineData("""{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2, "seconds": null}}""")]
    public void A_timestamp_without_two_integers_is_a_protocol_error(string line)
    {
        Assert.Contains("timestamp", Reject(line).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_are_matched_by_their_unescaped_names()
    {
        var e = ParseEvent("""{"\u0065vent": "RESUME", "d\u0061ta": {"k": 1}, "timestamp": {"seconds": 1, "microseconds": 2}}""");
        Assert.Equal("RESUME", e.Name);
        Assert.Equal("""{"k": 1}""", Encoding.UTF8.GetString(e.Data.Span));
    }
}

using System.Text;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Replies;

namespace Appliance.Qmp.Tests;

/// <summary>The typed readers other layers use instead of picking members out of JSON themselves: event data through
/// <see cref="QmpEventCatalog.TryRead{T}"/> and query returns through <see cref="QmpReplies"/>.</summary>
public sealed class TypedReadingTests
{
    private static QmpResponse Reply(string line) => (QmpResponse)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line));

    private static QmpEvent Event(string name, string data) =>
        (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes($$$"""{"event": "{{{name}}}", "data": {{{data}}}, "timestamp": {"seconds": 1, "microseconds": 0}}"""));

    [Fact]
    public void Event_data_of_the_documented_shape_reads_as_its_record()
    {
        Assert.True(QmpEventCatalog.TryRead<BlockIoErrorEvent>(Event("BLOCK_IO_ERROR", """{"device": "d", "operation": "write", "action": "stop"}"""), out var error));
        Assert.Equal("stop", error.Action);
    }

    [Fact]
    public void Event_data_missing_a_documented_member_does_not_read()
    {
        Assert.False(QmpEventCatalog.TryRead<BlockIoErrorEvent>(Event("BLOCK_IO_ERROR", """{"action": "stop"}"""), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Event_read_as_another_events_record_does_not_read() =>
        Assert.False(QmpEventCatalog.TryRead<BlockIoErrorEvent>(Event("WATCHDOG", """{"action": "pause"}"""), out _));

    [Fact]
    public void Query_status_return_reads_its_run_state() =>
        Assert.Equal("io-error", QmpReplies.Status(Reply("""{"return": {"status": "io-error", "singlestep": false, "running": false}}"""))?.Status);

    [Theory]
    [InlineData("""{"return": {"running": true}}""")]
    [InlineData("""{"return": [1, 2]}""")]
    [InlineData("""{"error": {"class": "GenericError", "desc": "no"}}""")]
    public void Query_status_reply_of_another_shape_reads_as_null(string reply) => Assert.Null(QmpReplies.Status(Reply(reply)));

    [Fact]
    public void Query_name_return_without_a_name_reads_as_no_name() => Assert.Null(QmpReplies.Name(Reply("""{"return": {}}"""))!.Name);

    [Fact]
    public void Query_commands_return_reads_as_the_command_names() =>
        Assert.Equal(["query-status", "stop"], QmpReplies.CommandNames(Reply("""{"return": [{"name": "query-status"}, {"name": "stop", "x-extra": 1}]}""")));
}

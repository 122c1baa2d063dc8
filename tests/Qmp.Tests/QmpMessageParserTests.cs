using System.Text;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Tests;

public sealed class QmpMessageParserTests
{
    private static QmpMessage Parse(string line) => QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line));

    [Fact]
    public void Event_keeps_name_timestamp_and_raw_data()
    {
        var e = Assert.IsType<QmpEvent>(Parse("""{"timestamp": {"seconds": 1267041730, "microseconds": 281295}, "event": "WATCHDOG", "data": {"action": "reset", "x-extra": [1, 2]}}"""));
        Assert.Equal("WATCHDOG", e.Name);
        Assert.Equal(new QmpTimestamp(1267041730, 281295), e.Timestamp);
        Assert.Equal("""{"action": "reset", "x-extra": [1, 2]}""", Encoding.UTF8.GetString(e.Data.Span));
    }

    [Fact]
    public void Return_echoes_id_of_any_json_type_verbatim()
    {
        var r = Assert.IsType<QmpReturn>(Parse("""{"return": {}, "id": {"n": [1, "two"]}}"""));
        Assert.Equal("""{"n": [1, "two"]}""", Encoding.UTF8.GetString(r.Id.Span));
    }

    [Fact]
    public void Error_exposes_class_and_description()
    {
        var r = Assert.IsType<QmpErrorResponse>(Parse("""{"error": {"class": "CommandNotFound", "desc": "The command foo has not been found"}, "id": 7}"""));
        Assert.Equal(QmpErrorClass.CommandNotFound, r.ErrorClass);
        Assert.Equal("The command foo has not been found", r.Description);
        Assert.Equal("7", Encoding.UTF8.GetString(r.Id.Span));
    }

    [Fact]
    public void Greeting_exposes_version_and_capabilities()
    {
        var g = Assert.IsType<QmpGreeting>(Parse("""{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2"}, "capabilities": ["oob"]}}"""));
        Assert.Equal(new QmpVersion(7, 2, 22, "Debian 1:7.2"), g.Version);
        Assert.Equal(["oob"], g.Capabilities);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"hello": 1}""")]
    [InlineData("""{"event": 5}""")]
    [InlineData("""{"return": {}} trailing""")]
    public void Malformed_input_throws_protocol_exception(string line)
    {
        Assert.Throws<QmpProtocolException>(() => Parse(line));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected()
    {
        string deep = new string('[', QmpJsonLimits.MaxDepth + 1) + new string(']', QmpJsonLimits.MaxDepth + 1);
        var e = Assert.Throws<QmpProtocolException>(() => Parse($$"""{"return": {{deep}}}"""));
        Assert.Contains("depth", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}

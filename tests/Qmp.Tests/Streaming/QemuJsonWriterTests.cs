using System.Text;
using Appliance.Qmp.Streaming;

namespace Appliance.Qmp.Tests.Streaming;

/// <summary>QEMU 7.2's output layout; the expected lines are what qemu-system-x86_64 7.2.22 wrote.</summary>
public sealed class QemuJsonWriterTests
{
    private static string Relayout(string compact) => Encoding.UTF8.GetString(QemuJsonWriter.Relayout(Encoding.UTF8.GetBytes(compact)));

    [Theory]
    [InlineData("{\"return\":{}}\r\n", "{\"return\": {}}\r\n")]
    [InlineData("{\"timestamp\":{\"seconds\":1,\"microseconds\":2},\"event\":\"STOP\"}", "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}")]
    [InlineData("{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"x\"},\"id\":\"pre\"}", "{\"id\": \"pre\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"x\"}}")]
    [InlineData("{\"return\":{\"running\":true,\"singlestep\":false,\"status\":\"running\"},\"id\":\"t1\"}", "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": \"t1\"}")]
    [InlineData("{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":22},\"package\":\"p\"}", "{\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"p\"}")]
    [InlineData("{\"guest\":false,\"reason\":\"host-qmp-quit\"}", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}")]
    [InlineData("[1,[],{}]", "[1, [], {}]")]
    public void Layout_ordering_and_spacing_match_QEMU(string compact, string qemu)
    {
        Assert.Equal(qemu, Relayout(compact));
    }

    [Fact]
    public void Strings_are_escaped_as_QEMU_escapes_them()
    {
        // QEMU answered id "\u00e9\u0027/\t" with "\u00E9'/\t" and a stray 0xFF with '\uFFFD'.
        Assert.Equal("\"\\u00E9'/\\t\\uFFFD\\u0001\\\"\\\\\"", Relayout("\"\\u00e9\\u0027/\\t\\ufffd\\u0001\\\"\\\\\""));
    }

    [Fact]
    public void Characters_beyond_the_BMP_are_surrogate_pairs()
    {
        Assert.Equal("\"\\uD83D\\uDE00\"", Relayout("\"\U0001F600\""));
    }

    [Theory]
    [InlineData("1.5e3", "1500")]
    [InlineData("-0", "0")]
    [InlineData("18446744073709551615", "18446744073709551615")]
    [InlineData("0.5", "0.5")]
    public void Numbers_are_printed_as_QEMU_prints_them(string input, string qemu)
    {
        Assert.Equal(qemu, Relayout(input));
    }
}

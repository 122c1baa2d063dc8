using System.Text;
using Appliance.Qmp.Streaming;

namespace Appliance.Qmp.Tests.Streaming;

/// <summary>Grammar errors with the texts QEMU 7.2.22 answered for the same input.</summary>
public sealed class QemuJsonParserTests
{
    private static QemuJsonParser.Result Parse(string value) => QemuJsonParser.Parse(Encoding.UTF8.GetBytes(value));

    [Theory]
    [InlineData("abc", "JSON parse error, invalid keyword 'abc'")]
    [InlineData("tru", "JSON parse error, invalid keyword 'tru'")]
    [InlineData("{\"a\" 1}", "JSON parse error, missing : in object pair")]
    [InlineData("{\"a\":}", "JSON parse error, expecting value")]
    [InlineData("{1:2}", "JSON parse error, key is not a string in object")]
    [InlineData("}", "JSON parse error, expecting value")]
    [InlineData("]", "JSON parse error, expecting value")]
    [InlineData(":", "JSON parse error, expecting value")]
    [InlineData("{\"a\":1,}", "JSON parse error, expecting value")]
    [InlineData("[1 2]", "JSON parse error, expected separator in list")]
    [InlineData("{\"a\":1 \"b\":2}", "JSON parse error, expected separator in dict")]
    [InlineData("\"\\x\"", "JSON parse error, invalid escape sequence in string")]
    public void Invalid_values_get_QEMUs_error(string input, string error)
    {
        Assert.Equal(error, Parse(input).Error);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_QEMUs_error()
    {
        Assert.Equal("JSON parse error, invalid UTF-8 sequence in string", QemuJsonParser.Parse(new byte[] { (byte)'"', 0xC3, (byte)'"' }).Error);
    }

    [Fact]
    public void Standard_json_is_passed_through_untouched()
    {
        var input = Encoding.UTF8.GetBytes("{\"execute\": \"stop\", \"id\": [1, 2.5, true, null, \"\\u00e9\"]}");
        var result = QemuJsonParser.Parse(input);
        Assert.Null(result.Error);
        Assert.Equal(input, result.Json.ToArray());
    }

    [Fact]
    public void Single_quoted_strings_become_standard_json()
    {
        var result = Parse("{'execute': 'query-status', 'id': 'it\\'s \"q\"'}");
        Assert.Null(result.Error);
        Assert.Equal("{\"execute\":\"query-status\",\"id\":\"it's \\\"q\\\"\"}", Encoding.UTF8.GetString(result.Json.Span));
    }
}

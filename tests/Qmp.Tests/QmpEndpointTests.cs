using Appliance.Qmp;

namespace Appliance.Qmp.Tests;

public sealed class QmpEndpointTests
{
    [Theory]
    [InlineData("unix:/run/vm.sock", QmpEndpointKind.Unix, "/run/vm.sock", 0)]
    [InlineData("/run/vm.sock", QmpEndpointKind.Unix, "/run/vm.sock", 0)]
    [InlineData("tcp:127.0.0.1:4444", QmpEndpointKind.Tcp, "127.0.0.1", 4444)]
    [InlineData("tcp:[::1]:4444", QmpEndpointKind.Tcp, "::1", 4444)]
    [InlineData("tcp:localhost:0", QmpEndpointKind.Tcp, "localhost", 0)]
    [InlineData("tcp::4444", QmpEndpointKind.Tcp, "", 4444)]
    public void Endpoint_strings_parse_into_kind_address_and_port(string text, QmpEndpointKind kind, string address, int port)
    {
        var endpoint = QmpEndpoint.Parse(text);

        Assert.Equal(new QmpEndpoint(kind, address, port), endpoint);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("tcp:4444", "lacks a host or port")]
    [InlineData("tcp:127.0.0.1:99999", "invalid port '99999'")]
    [InlineData("tcp:host:http", "invalid port 'http'")]
    [InlineData("serial:/dev/ttyS0", "neither unix:PATH nor tcp:HOST:PORT")]
    public void Bad_endpoint_strings_are_refused_naming_the_problem(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => QmpEndpoint.Parse(text));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unix:/run/qemu/vm1.qmp")]
    [InlineData("tcp:127.0.0.1:4444")]
    public void Endpoint_prints_as_it_is_written(string text)
    {
        Assert.Equal(text, QmpEndpoint.Parse(text).ToString());
    }
}

using Appliance.Bridge.Client;

namespace Appliance.Bridge.Tests.Client;

public sealed class QmpEndpointTests
{
    [Fact]
    public void Unix_endpoint_keeps_its_path()
    {
        var e = QmpEndpoint.Parse("unix:/run/qemu/vm1.qmp");
        Assert.Equal(("/run/qemu/vm1.qmp", (string?)null), (e.Path, e.Host));
    }

    [Fact]
    public void Tcp_endpoint_splits_host_and_port()
    {
        var e = QmpEndpoint.Parse("tcp:127.0.0.1:4444");
        Assert.Equal(("127.0.0.1", 4444), (e.Host, e.Port));
    }

    [Fact]
    public void Tcp_endpoint_accepts_a_bracketed_ipv6_host()
    {
        Assert.Equal("::1", QmpEndpoint.Parse("tcp:[::1]:4444").Host);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/run/qemu/vm.qmp", "must start with 'unix:' or 'tcp:'")]
    [InlineData("unix:", "no socket path")]
    [InlineData("tcp:4444", "needs a host and a port")]
    [InlineData("tcp:host:0", "invalid port")]
    [InlineData("tcp:host:http", "invalid port")]
    public void Bad_endpoint_error_says_what_is_wrong(string text, string problem)
    {
        Assert.Contains(problem, Assert.Throws<FormatException>(() => QmpEndpoint.Parse(text)).Message);
    }
}

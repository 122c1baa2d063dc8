using System.Net;
using Appliance.Host.Metrics;

namespace Appliance.Tests.Metrics;

/// <summary><c>Metrics:Listen</c>: off when empty, loopback for a bare port, and a clear error for anything else.</summary>
public sealed class MetricsOptionsTests
{
    [Fact]
    public void Empty_listen_is_off_and_valid()
    {
        var options = new MetricsOptions();
        Assert.False(options.Enabled);
        options.Validate();
    }

    [Fact]
    public void A_bare_port_listens_on_loopback()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9464), new MetricsOptions { Listen = "9464" }.EndPoint());
    }

    [Theory]
    [InlineData("0.0.0.0:9464")]
    [InlineData("[::1]:9464")]
    public void An_address_and_port_listen_there(string listen)
    {
        Assert.Equal(IPEndPoint.Parse(listen), new MetricsOptions { Listen = listen }.EndPoint());
    }

    [Theory]
    [InlineData("localhost:9464")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1")]
    [InlineData("nonsense")]
    public void Anything_else_is_refused_naming_the_key(string listen)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricsOptions { Listen = listen }.Validate());
        Assert.StartsWith($"Metrics:Listen '{listen}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_cap_out_of_range_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricsOptions { Listen = "9464", MaxConnections = 0 }.Validate());
        Assert.Contains("Metrics:MaxConnections", e.Message, StringComparison.Ordinal);
    }
}

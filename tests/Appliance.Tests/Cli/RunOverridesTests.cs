using Appliance.Host.Cli;
using Appliance.Host.Hosting;
using Microsoft.Extensions.Configuration;

namespace Appliance.Tests.Cli;

public sealed class RunOverridesTests
{
    private static EffectiveOptions Effective(Dictionary<string, string?> overrides) =>
        EffectiveOptions.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["StateDirectory"] = "/tmp/apl-overrides" })
            .AddInMemoryCollection(overrides).Build());

    [Fact]
    public void Mqtt_option_sets_the_broker_host_and_port()
    {
        var overrides = RunOverrides.Build([], null, "broker.lan:8883", null, null, out var error);
        Assert.Null(error);
        using var options = Effective(overrides);
        Assert.Equal("broker.lan", options.Mqtt.Broker.Host);
        Assert.Equal(8883, options.Mqtt.Broker.Port);
    }

    [Fact]
    public void Vm_options_attach_to_those_monitors_only()
    {
        var overrides = RunOverrides.Build(["web=unix:/run/qemu/web.qmp", "db=tcp:127.0.0.1:4444"], "/data/j.db", null, "rpi4b", "off", out var error);
        Assert.Null(error);
        Assert.Equal("/data/j.db", overrides["Journal:Path"]);
        Assert.Equal("rpi4b", overrides["Indicators:Board"]);
        var config = new ConfigurationBuilder().AddInMemoryCollection(overrides).Build();
        Assert.Empty(EmulatedVms.Plan(config));
        Assert.Equal("tcp:127.0.0.1:4444", config["Monitors:Vms:1:Endpoint"]);
    }

    [Fact]
    public void Listen_options_become_monitor_listen_keys_and_no_emulated_vm_starts()
    {
        var overrides = RunOverrides.Build([], ["unix:/run/appliance/qmp-a.sock", "unix:/run/appliance/qmp-b.sock"], null, null, null, null, out var error);
        Assert.Null(error);
        var config = new ConfigurationBuilder().AddInMemoryCollection(overrides).Build();
        Assert.Empty(EmulatedVms.Plan(config));
        Assert.Equal("unix:/run/appliance/qmp-b.sock", config["Monitors:Listen:1"]);
    }

    [Theory]
    [InlineData("tcp:127.0.0.1:4444")]
    [InlineData("unix:")]
    public void A_listen_option_other_than_a_unix_socket_is_an_error_naming_it(string value)
    {
        RunOverrides.Build([], [value], null, null, null, null, out var error);
        Assert.Contains($"--listen '{value}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("broker")]
    [InlineData("broker:0")]
    [InlineData("broker:http")]
    [InlineData(":1883")]
    public void Malformed_mqtt_option_is_an_error_naming_it(string value)
    {
        RunOverrides.Build([], null, value, null, null, out var error);
        Assert.Contains("--mqtt", error, StringComparison.Ordinal);
    }
}

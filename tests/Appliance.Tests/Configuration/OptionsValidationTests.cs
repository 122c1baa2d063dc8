using Appliance.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Appliance.Tests.Configuration;

public sealed class OptionsValidationTests
{
    private static EffectiveOptions Load(params (string Key, string Value)[] values) =>
        EffectiveOptions.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.ToDictionary(v => v.Key, v => (string?)v.Value))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["StateDirectory"] = "/tmp/apl-options-test" })
            .Build());

    [Fact]
    public void No_configuration_gives_one_emulated_vm_journal_in_state_directory_localhost_broker_and_sim_board()
    {
        using var options = Load();
        Assert.Equal(["demo"], options.Emulated.Select(v => v.Name));
        Assert.Equal("/tmp/apl-options-test/journal.db", options.Journal.Path);
        Assert.Equal("localhost", options.Mqtt.Broker.Host);
        Assert.Equal(1883, options.Mqtt.Broker.Port);
        Assert.Equal("sim", options.Indicators.Board);
        Assert.Contains(options.Monitors.Vms, vm => vm.Name == "demo" && vm.Endpoint.EndsWith("/emu/demo.qmp", StringComparison.Ordinal));
        Assert.Equal(["status", "alarm", "alarm-relay"], options.Indicators.Indicators.Select(i => i.Name));
    }

    [Fact]
    public void Configured_monitors_replace_the_emulated_vm()
    {
        using var options = Load(("Monitors:Vms:0:Name", "web"), ("Monitors:Vms:0:Endpoint", "unix:/run/qemu/web.qmp"));
        Assert.Empty(options.Emulated);
        Assert.Equal(["web"], options.Monitors.Vms.Select(v => v.Name));
    }

    [Fact]
    public void Invalid_node_name_fails_naming_the_key()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load(("Node", "bad/node")));
        Assert.Contains(e.Failures, f => f.Contains("Node", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_mqtt_port_fails_naming_the_section_and_value()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load(("Mqtt:Broker:Port", "70000")));
        Assert.Contains(e.Failures, f => f.StartsWith("Mqtt:", StringComparison.Ordinal) && f.Contains("70000", StringComparison.Ordinal));
    }

    [Fact]
    public void Mqtt_backlog_bounds_are_read_from_configuration_and_a_negative_one_is_named()
    {
        using var options = Load(("Mqtt:MaxBacklogAge", "1.00:00:00"), ("Mqtt:MaxBacklogEvents", "5000"));
        Assert.Equal((TimeSpan.FromDays(1), 5000L), (options.Mqtt.MaxBacklogAge, options.Mqtt.MaxBacklogEvents));

        var e = Assert.Throws<OptionsValidationException>(() => Load(("Mqtt:MaxBacklogEvents", "-5")));
        Assert.Contains(e.Failures, f => f.StartsWith("Mqtt:", StringComparison.Ordinal) && f.Contains("MaxBacklogEvents -5", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_journal_batch_size_fails_naming_the_key()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load(("Journal:BatchMaxEvents", "0")));
        Assert.Contains(e.Failures, f => f.StartsWith("Journal:", StringComparison.Ordinal) && f.Contains("BatchMaxEvents", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_board_pin_fails_naming_the_pin()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load(("Indicators:Indicators:0:Name", "lamp"), ("Indicators:Indicators:0:Pin", "")));
        Assert.Contains(e.Failures, f => f.StartsWith("Indicators:", StringComparison.Ordinal));
    }

    [Fact]
    public void Shutdown_timeout_out_of_range_is_rejected_with_the_allowed_range()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load(("ShutdownTimeout", "00:05:00")));
        Assert.Contains(e.Failures, f => f.Contains("ShutdownTimeout", StringComparison.Ordinal) && f.Contains("00:01:00", StringComparison.Ordinal));
    }

    [Fact]
    public void Indicators_without_rules_get_the_default_rules_of_their_names()
    {
        using var options = Load(("Indicators:Indicators:0:Name", "status"), ("Indicators:Indicators:0:Pin", "SIM10"),
            ("Indicators:Indicators:1:Name", "alarm"), ("Indicators:Indicators:1:Pin", "SIM11"));

        Assert.Equal(["status-shutdown", "status-running", "status-paused", "alarm-led"], options.Indicators.Rules.Select(r => r.Name));
    }

    [Fact]
    public void Indicators_without_rules_that_no_default_rule_drives_are_refused_naming_them()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Load(("Indicators:Indicators:0:Name", "door"), ("Indicators:Indicators:0:Pin", "SIM10")));

        Assert.Contains(e.Failures, f => f.Contains("Indicators:Rules is empty", StringComparison.Ordinal) && f.Contains("door", StringComparison.Ordinal));
    }
}

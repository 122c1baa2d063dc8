using Appliance.Host.Configuration;
using Appliance.Host.Hosting;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Appliance.Tests.Configuration;

/// <summary>The one configuration check that <c>config check</c> and <c>run</c> share: unknown keys, unconvertible
/// values and every section's rules, all reported together, one line each, naming the key.</summary>
public sealed class ConfigurationCheckTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private IReadOnlyList<string> Check(string json, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        string file = _dir.File("appliance.json");
        File.WriteAllText(file, json);
        var layers = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>()) { ["StateDirectory"] = _dir.File("state") };
        return Problems(ConfigurationLayers.Build(file, layers, systemFile: null));
    }

    /// <summary>What <c>config check</c> and <c>run</c> report, one line each; empty when the configuration is valid.</summary>
    private static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        try
        {
            EffectiveOptions.Load(configuration).Dispose();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
    }

    private static void AssertNoDotNetText(IEnumerable<string> problems)
    {
        foreach (var p in problems)
        {
            Assert.DoesNotContain("Exception", p, StringComparison.Ordinal);
            Assert.DoesNotContain("Format_", p, StringComparison.Ordinal);
            Assert.DoesNotContain("Arg_", p, StringComparison.Ordinal);
            Assert.DoesNotContain("Overflow_", p, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', p);
        }
    }

    [Fact]
    public void Default_configuration_has_no_problems() => Assert.Empty(Check("{}"));

    [Fact]
    public void Schema_reaches_nested_keys_case_insensitively()
    {
        var mqtt = Assert.IsType<ObjectNode>(ConfigurationSchema.Root.Properties["mqtt"].Node);
        var broker = Assert.IsType<ObjectNode>(mqtt.Properties["Broker"].Node);
        var tls = Assert.IsType<ObjectNode>(broker.Properties["TLS"].Node);
        Assert.Equal(typeof(string), Assert.IsType<LeafNode>(tls.Properties["cafile"].Node).Type);
    }

    [Fact]
    public void Misspelled_broker_key_names_the_key_and_its_nearest_spelling()
    {
        var p = Assert.Single(Check("""{ "Mqtt": { "Broker": { "Hots": "broker.lan" } } }"""));
        Assert.Contains("Mqtt:Broker:Hots", p, StringComparison.Ordinal);
        Assert.Contains("'Host'", p, StringComparison.Ordinal);
    }

    [Fact]
    public void Misspelled_board_key_names_the_nearest_spelling()
    {
        var p = Assert.Single(Check("""{ "Indicators": { "Borad": "rpi4b" } }"""));
        Assert.Contains("Indicators:Borad", p, StringComparison.Ordinal);
        Assert.Contains("'Board'", p, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_of_another_section_at_the_top_level_names_where_it_belongs()
    {
        var p = Assert.Single(Check("""{ "Borad": "rpi4b" }"""));
        Assert.Contains("'Indicators:Board'", p, StringComparison.Ordinal);
    }

    [Fact]
    public void Misspelled_section_and_key_are_both_reported()
    {
        var problems = Check("""{ "Jornal": { "Path": "/tmp/j.db" }, "Journal": { "BatchMaxEvent": 10 } }""");
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Jornal", StringComparison.Ordinal) && p.Contains("'Journal'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Journal:BatchMaxEvent", StringComparison.Ordinal) && p.Contains("'BatchMaxEvents'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_single_value_where_a_list_belongs_is_an_error()
    {
        var p = Assert.Single(Check("""{ "Monitors": { "Vms": "web" } }"""));
        Assert.Contains("Monitors:Vms = 'web'", p, StringComparison.Ordinal);
        Assert.Contains("list", p, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Mqtt": { "Broker": { "Protocol": "V6" } } }""", "Mqtt:Broker:Protocol = 'V6'", "V311, V5")]
    [InlineData("""{ "ShutdownTimeout": "4s" }""", "ShutdownTimeout = '4s'", "00:00:04")]
    [InlineData("""{ "Journal": { "BatchMaxEvents": "lots" } }""", "Journal:BatchMaxEvents = 'lots'", "whole number")]
    [InlineData("""{ "Mqtt": { "HomeAssistantDiscovery": "maybe" } }""", "Mqtt:HomeAssistantDiscovery = 'maybe'", "true or false")]
    [InlineData("""{ "Journal": { "BatchMaxEvents": 99999999999 } }""", "Journal:BatchMaxEvents = '99999999999'", "2147483647")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a", "WatchdogAction": "rest" } ] } }""", "Emulator:Vms:0", "inject-nmi")]
    public void Unconvertible_value_names_key_value_and_what_is_expected(string json, string keyAndValue, string expected)
    {
        var problems = Check(json);
        var p = Assert.Single(problems);
        Assert.Contains(keyAndValue, p, StringComparison.Ordinal);
        Assert.Contains(expected, p, StringComparison.Ordinal);
        AssertNoDotNetText(problems);
    }

    [Fact]
    public void Unknown_board_is_an_error_listing_the_known_ones()
    {
        var p = Assert.Single(Check("""{ "Indicators": { "Board": "rpi4" } }"""));
        Assert.Contains("'rpi4'", p, StringComparison.Ordinal);
        Assert.Contains("rpi4b", p, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("99")]
    [InlineData("64")]
    [InlineData("-1")]
    [InlineData("SIM64")]
    public void Pin_not_on_the_board_is_an_error_naming_the_key(string pin)
    {
        var p = Assert.Single(Check($$"""{ "Indicators": { "Indicators": [ { "Name": "lamp", "Pin": "{{pin}}" } ], "Rules": [ { "Indicator": "lamp", "Critical": true, "Latch": true } ] } }"""));
        Assert.Contains("Indicators:Indicators:0:Pin", p, StringComparison.Ordinal);
        Assert.Contains($"'{pin}'", p, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_scenario_file_is_an_error()
    {
        var p = Assert.Single(Check("""{ "Emulator": { "Vms": [ { "Name": "a", "Scenario": "/nonexistent/a.scenario" } ] } }"""));
        Assert.Contains("Emulator:Vms:0:Scenario", p, StringComparison.Ordinal);
        Assert.Contains("not found", p, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a", "ScenarioSpeed": 0 } ] } }""", "Emulator:Vms:0:ScenarioSpeed")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a", "VncPort": 70000 } ] } }""", "Emulator:Vms:0:VncPort 70000")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a", "PanicAction": "explode" } ] } }""", "Emulator:Vms:0:PanicAction 'explode'")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a", "QemuVersion": "6.0" } ] } }""", "Emulator:Vms:0:QemuVersion = '6.0'")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a", "Qmp": [ "tcp:nowhere" ] } ] } }""", "Emulator:Vms:0:Qmp = 'tcp:nowhere'")]
    public void Bad_emulated_vm_setting_is_one_problem_naming_its_key(string json, string key)
    {
        var problems = Check(json);
        Assert.Contains(key, Assert.Single(problems), StringComparison.Ordinal);
        AssertNoDotNetText(problems);
    }

    [Theory]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "" } ] } }""", "Emulator:Vms:0:Name is empty")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a/b" } ] } }""", "Emulator:Vms:0:Name = 'a/b'")]
    [InlineData("""{ "Emulator": { "Vms": [ { "Name": "a" }, { "Name": "a" } ] } }""", "Emulator:Vms:1:Name = 'a'")]
    public void Bad_emulated_vm_name_is_reported_once_under_its_own_key(string json, string key)
    {
        // Not again as Monitors:Vms:N:Name, although the emulated VMs join the monitors' list.
        var problems = Check(json);
        Assert.StartsWith(key, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void An_emulated_vm_named_like_a_real_monitor_is_reported_as_a_name_used_twice()
    {
        var problems = Check("""{ "Emulator": { "Enabled": true, "Vms": [ { "Name": "a" } ] }, "Monitors": { "Vms": [ { "Name": "a", "Endpoint": "unix:/run/a.qmp" } ] } }""");
        Assert.StartsWith("Emulator:Vms:0:Name 'a' is used twice", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_setting_of_an_emulated_vm_is_reported_together()
    {
        var problems = Check("""{ "Emulator": { "Vms": [ { "Name": "a", "WatchdogAction": "rest", "PanicAction": "explode", "QemuVersion": "6.0" } ] } }""");
        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void Settings_of_an_emulator_that_does_not_run_are_not_checked() =>
        Assert.Empty(Check("""
            { "Monitors": { "Vms": [ { "Name": "web", "Endpoint": "unix:/run/qemu/web.qmp" } ] },
              "Emulator": { "Vms": [ { "Name": "a", "WatchdogAction": "rest" } ] } }
            """));

    [Fact]
    public void Bad_node_is_reported_once_and_does_not_hide_a_second_error()
    {
        var problems = Check("""{ "Node": "bad/node", "Journal": { "BatchMaxEvents": 0 } }""");
        Assert.Equal(2, problems.Count);
        Assert.Single(problems, p => p.Contains("Node", StringComparison.Ordinal) && !p.Contains("Journal", StringComparison.Ordinal));
        Assert.Single(problems, p => p.Contains("Journal:BatchMaxEvents", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_together()
    {
        var problems = Check("""
            { "Borad": "x", "ShutdownTimeout": "4s", "Journal": { "BatchMaxEvents": "lots" },
              "Mqtt": { "Broker": { "Port": 70000 } }, "Indicators": { "Board": "rpi4" } }
            """);
        Assert.Equal(5, problems.Count);
        AssertNoDotNetText(problems);
    }

    [Fact]
    public void Old_second_criticality_key_is_an_error_naming_the_one_key()
    {
        var p = Assert.Single(Check("""{ "Indicators": { "ExtraCriticalEvents": [ "RESET" ] } }"""));
        Assert.Contains("Indicators:ExtraCriticalEvents", p, StringComparison.Ordinal);
        Assert.Contains("'CriticalEvents'", p, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown key", p, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CriticalLogBytes", "1048576", "fixed size")]
    [InlineData("FlushCriticalBatches", "true", "always synced")]
    [InlineData("CheckpointMaxDelay", "00:00:01", "CheckpointWalBytes")]
    [InlineData("Synchronous", "Normal", "what 'Full' was")]
    public void A_removed_journal_key_is_a_warning_naming_it_and_what_replaces_it(string key, string value, string replacement)
    {
        string file = _dir.File("appliance.json");
        File.WriteAllText(file, $$"""{ "Journal": { "{{key}}": "{{value}}" } }""");
        var configuration = ConfigurationLayers.Build(file, new Dictionary<string, string?> { ["StateDirectory"] = _dir.File("state") }, systemFile: null);

        Assert.Empty(Problems(configuration));
        var warning = Assert.Single(ConfigurationCheck.Warnings(configuration));
        Assert.StartsWith($"Journal:{key}", warning, StringComparison.Ordinal);
        Assert.Contains("removed", warning, StringComparison.Ordinal);
        Assert.Contains(replacement, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_without_removed_keys_has_no_warnings()
    {
        string file = _dir.File("appliance.json");
        File.WriteAllText(file, """{ "Journal": { "BatchMaxEvents": 100 } }""");
        Assert.Empty(ConfigurationCheck.Warnings(ConfigurationLayers.Build(file, new Dictionary<string, string?>(), systemFile: null)));
    }

    [Fact]
    public void Critical_event_names_as_qemu_spells_them_pass() => Assert.Empty(Check("""{ "CriticalEvents": [ "RESET", "BLOCK_JOB_ERROR" ] }"""));

    [Theory]
    [InlineData("reset")]
    [InlineData("")]
    [InlineData("RESET ")]
    public void Critical_event_name_not_spelled_as_qemu_does_is_an_error_naming_key_and_value(string name)
    {
        var p = Assert.Single(Check($$"""{ "CriticalEvents": [ "RESET", "{{name}}" ] }"""));
        Assert.Contains($"CriticalEvents:1 = '{name}'", p, StringComparison.Ordinal);
        Assert.Contains("upper-case", p, StringComparison.Ordinal);
    }

    [Fact]
    public void Shipped_example_configuration_passes() =>
        Assert.Empty(Problems(ConfigurationLayers.Build(RepoPaths.File("config/appliance.example.json"), new Dictionary<string, string?>(), systemFile: null)));
}

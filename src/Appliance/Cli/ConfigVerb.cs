using System.CommandLine;
using System.Text.Json;
using Appliance.Host.Configuration;
using Appliance.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Cli;

/// <summary><c>appliance config check FILE</c>: validate a configuration and print the effective settings.</summary>
internal static class ConfigVerb
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The configuration file to check (JSON)" };
        var check = new Command("check", "Validate a configuration file (with the system file and APPLIANCE__ variables) and print the effective configuration") { file };
        check.SetAction(parse =>
        {
            try
            {
                var configuration = ConfigurationLayers.Build(parse.GetValue(file), new Dictionary<string, string?>());
                using var effective = EffectiveOptions.Load(configuration);
                using var stdout = Console.OpenStandardOutput();
                using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    WriteEffective(w, configuration, effective);
                }
                stdout.Write("\n"u8);
                return ExitCodes.Ok;
            }
            catch (ConfigurationFileException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Usage);
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures) Console.Error.WriteLine($"appliance: configuration: {failure}");
                return ExitCodes.Usage;
            }
        });
        return new Command("config", "Configuration tools") { check };
    }

    /// <summary>The configuration as given (secrets masked), then the values derived from it.</summary>
    private static void WriteEffective(Utf8JsonWriter w, IConfiguration configuration, EffectiveOptions effective)
    {
        w.WriteStartObject();
        w.WritePropertyName("given");
        WriteSection(w, configuration);
        w.WriteStartObject("effective");
        w.WriteString("Node", effective.Appliance.Node);
        w.WriteString("StateDirectory", effective.Appliance.StateDirectory);
        w.WriteString("ControlSocket", effective.Appliance.ControlSocketPath);
        w.WriteString("Journal", effective.Journal.Path);
        w.WriteString("JournalSynchronous", effective.Journal.Synchronous.ToString());
        w.WriteString("Mqtt", $"{effective.Mqtt.Broker.Host}:{effective.Mqtt.Broker.Port} ({effective.Mqtt.Broker.Protocol}, prefix {effective.Mqtt.TopicPrefix}/{effective.Mqtt.EffectiveNode})");
        w.WriteStartArray("MqttAllowedCommands");
        foreach (string command in effective.Mqtt.EffectiveAllowedCommands) w.WriteStringValue(command);
        w.WriteEndArray();
        w.WriteString("MqttReplyTopics", effective.Mqtt.EffectiveReplyTopicFilter);
        w.WriteString("Board", effective.Indicators.Board);
        w.WriteStartArray("Indicators");
        foreach (var i in effective.Indicators.Indicators) w.WriteStringValue($"{i.Name}: {i.Kind} on {i.Pin}");
        w.WriteEndArray();
        w.WriteStartArray("Monitors");
        foreach (var vm in effective.Monitors.Vms) w.WriteStringValue($"{vm.Name}: {vm.Endpoint}");
        if (effective.Monitors.Glob is { } glob) w.WriteStringValue($"glob {glob}");
        w.WriteEndArray();
        w.WriteStartArray("EmulatedVms");
        foreach (var vm in effective.Emulated) w.WriteStringValue(vm.Name);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSection(Utf8JsonWriter w, IConfiguration section)
    {
        w.WriteStartObject();
        foreach (var child in section.GetChildren())
        {
            if (child.GetChildren().Any())
            {
                w.WritePropertyName(child.Key);
                WriteSection(w, child);
            }
            else
            {
                bool secret = child.Key.Contains("password", StringComparison.OrdinalIgnoreCase) && !child.Key.EndsWith("File", StringComparison.OrdinalIgnoreCase)
                    && !child.Key.EndsWith("Variable", StringComparison.OrdinalIgnoreCase);
                w.WriteString(child.Key, secret ? "***" : child.Value);
            }
        }
        w.WriteEndObject();
    }
}

using System.CommandLine;
using System.Globalization;
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
                CliErrors.WarnConfiguration(ConfigurationCheck.Warnings(configuration));
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
                return CliErrors.ReportConfiguration(e.Failures);
            }
        });
        return new Command("config", "Configuration tools") { check };
    }

    /// <summary>The configuration as given, then the values derived from it.</summary>
    private static void WriteEffective(Utf8JsonWriter w, IConfiguration configuration, EffectiveOptions effective)
    {
        w.WriteStartObject();
        w.WritePropertyName("given");
        WriteSection(w, configuration, ConfigurationSchema.Root);
        w.WriteStartObject("effective");
        w.WriteString("Node", effective.Appliance.Node);
        w.WriteString("StateDirectory", effective.Appliance.StateDirectory);
        w.WriteString("ControlSocket", effective.Appliance.ControlSocketPath);
        w.WriteString("Journal", effective.Journal.Path);
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
        foreach (string listen in effective.Monitors.Listen) w.WriteStringValue($"listen {listen}");
        w.WriteEndArray();
        w.WriteStartArray("EmulatedVms");
        foreach (var vm in effective.Emulated) w.WriteStringValue(vm.Name);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Writes a section as JSON shaped by the schema: lists as arrays, booleans and numbers as such.</summary>
    private static void WriteSection(Utf8JsonWriter w, IConfiguration section, SchemaNode? node)
    {
        var children = section.GetChildren().ToList();
        if (node is ListNode list)
        {
            w.WriteStartArray();
            foreach (var child in children.OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue)) WriteValue(w, child, list.Element);
            w.WriteEndArray();
            return;
        }
        w.WriteStartObject();
        foreach (var child in children)
        {
            var property = node is ObjectNode obj && obj.Properties.TryGetValue(child.Key, out var p) ? p : (child.Key, (SchemaNode?)null);
            // Secrets never appear: the configuration names password files and variables, not passwords.
            w.WritePropertyName(property.Item1);
            WriteValue(w, child, property.Item2);
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, IConfigurationSection section, SchemaNode? node)
    {
        if (node is ObjectNode or ListNode || section.GetChildren().Any())
        {
            WriteSection(w, section, node);
            return;
        }
        string? value = section.Value;
        var type = (node as LeafNode)?.Type;
        if (value is null) w.WriteNullValue();
        else if (type == typeof(bool) && bool.TryParse(value, out bool b)) w.WriteBooleanValue(b);
        else if ((type == typeof(int) || type == typeof(long) || type == typeof(uint)) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) w.WriteNumberValue(n);
        else if (type == typeof(double) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) w.WriteNumberValue(d);
        else w.WriteStringValue(value);
    }
}

using System.CommandLine;
using Appliance.Host.Configuration;
using Appliance.Host.Hosting;

namespace Appliance.Host.Cli;

/// <summary><c>appliance run</c> (the default verb): the whole appliance in the foreground.</summary>
internal static class RunVerb
{
    public static Command Create(out Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var config = CommonOptions.Config();
        var vm = new Option<string[]>("--vm")
        {
            Description = "Attach to an existing monitor, NAME=unix:PATH or NAME=tcp:HOST:PORT (repeatable). Only these are watched then: no emulated VM starts",
            HelpName = "NAME=ENDPOINT",
            AllowMultipleArgumentsPerToken = false,
        };
        var journal = new Option<string?>("--journal") { Description = "Journal database file (overrides Journal:Path)", HelpName = "PATH" };
        var mqtt = new Option<string?>("--mqtt") { Description = "MQTT broker HOST:PORT (overrides Mqtt:Host and Mqtt:Port)", HelpName = "HOST:PORT" };
        var board = new Option<string?>("--board") { Description = "Board profile name, e.g. rpi4b or sim (overrides Indicators:Board)", HelpName = "NAME" };
        var dashboard = new Option<string?>("--dashboard") { Description = "Terminal dashboard: auto, on or off", HelpName = "MODE" };
        var command = new Command("run", "Run the appliance: monitors, journal, MQTT mirror, indicators (and the emulated VMs of the configuration)")
        {
            config, vm, journal, mqtt, board, dashboard,
        };
        action = async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            string[] vms = parse.GetValue(vm) ?? [];
            for (int i = 0; i < vms.Length; i++)
            {
                int eq = vms[i].IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == vms[i].Length - 1)
                {
                    return CliErrors.Report($"--vm '{vms[i]}': expected NAME=unix:PATH or NAME=tcp:HOST:PORT", ExitCodes.Usage);
                }
                overrides[$"Monitors:Vms:{i}:Name"] = vms[i][..eq];
                overrides[$"Monitors:Vms:{i}:Endpoint"] = vms[i][(eq + 1)..];
            }
            if (vms.Length > 0) overrides["Emulator:Enabled"] = "false";
            if (parse.GetValue(journal) is { } j) overrides["Journal:Path"] = j;
            if (parse.GetValue(board) is { } b) overrides["Indicators:Board"] = b;
            if (parse.GetValue(dashboard) is { } d) overrides["Dashboard"] = d;
            if (parse.GetValue(mqtt) is { } m)
            {
                int colon = m.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(m[(colon + 1)..], out int port) || port is < 1 or > 65535)
                {
                    return CliErrors.Report($"--mqtt '{m}': expected HOST:PORT with a port from 1 to 65535", ExitCodes.Usage);
                }
                overrides["Mqtt:Host"] = m[..colon];
                overrides["Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            try
            {
                var configuration = ConfigurationLayers.Build(parse.GetValue(config), overrides);
                return await ApplianceHost.RunAsync(configuration, ct).ConfigureAwait(false);
            }
            catch (ConfigurationFileException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Usage);
            }
        };
        command.SetAction(action);
        return command;
    }
}

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
        var listen = new Option<string[]>("--listen")
        {
            Description = "Accept monitors of QEMU processes that dial in, unix:PATH (repeatable; QEMU: -chardev socket,id=mon0,path=PATH,reconnect=2 -mon chardev=mon0,mode=control). No emulated VM starts then",
            HelpName = "unix:PATH",
            AllowMultipleArgumentsPerToken = false,
        };
        var journal = new Option<string?>("--journal") { Description = "Journal database file (overrides Journal:Path)", HelpName = "PATH" };
        var mqtt = new Option<string?>("--mqtt") { Description = "MQTT broker HOST:PORT (overrides Mqtt:Broker:Host and Mqtt:Broker:Port)", HelpName = "HOST:PORT" };
        var board = new Option<string?>("--board") { Description = "Board profile name, e.g. rpi4b or sim (overrides Indicators:Board)", HelpName = "NAME" };
        var dashboard = new Option<string?>("--dashboard") { Description = "Terminal dashboard: auto, on or off", HelpName = "MODE" };
        var metrics = new Option<string?>("--metrics") { Description = "Serve Prometheus metrics on HOST:PORT, or PORT on 127.0.0.1 (overrides Metrics:Listen)", HelpName = "HOST:PORT" };
        var command = new Command("run", "Run the appliance: monitors, journal, MQTT mirror, indicators (and the emulated VMs of the configuration)")
        {
            config, vm, listen, journal, mqtt, board, dashboard, metrics,
        };
        action = async (parse, ct) =>
        {
            var overrides = RunOverrides.Build(parse.GetValue(vm) ?? [], parse.GetValue(listen) ?? [], parse.GetValue(journal), parse.GetValue(mqtt),
                parse.GetValue(board), parse.GetValue(dashboard), out string? error);
            if (parse.GetValue(metrics) is { } metricsAddress) overrides["Metrics:Listen"] = metricsAddress;
            if (error is not null) return CliErrors.Report(error, ExitCodes.Usage);
            try
            {
                var configuration = ConfigurationLayers.Build(parse.GetValue(config), overrides);
                // The same check as `config check`, before anything starts: every problem at once, exit 2.
                var problems = ConfigurationCheck.Problems(configuration);
                if (problems.Count > 0) return CliErrors.ReportConfiguration(problems);
                CliErrors.WarnConfiguration(ConfigurationCheck.Warnings(configuration));
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

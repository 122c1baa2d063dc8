using System.CommandLine;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Host.Configuration;
using Appliance.Host.Hosting;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Cli;

/// <summary><c>appliance gpio list|test|set</c>: look at the GPIO chips and exercise the configured indicators.</summary>
internal static class GpioVerb
{
    public static Command Create()
    {
        var list = new Command("list", "List GPIO chips and lines, with the consumer holding each line");
        list.SetAction(_ =>
        {
            if (!ChardevGpioDriver.AnyChipPresent()) return CliErrors.Report("no GPIO chip (/dev/gpiochip*) on this machine", ExitCodes.Failure);
            try
            {
                Console.Write(GpioCommands.List(ChardevGpioDriver.DescribeChips()));
                return ExitCodes.Ok;
            }
            catch (GpioException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Failure);
            }
        });

        var config = CommonOptions.Config();
        var board = new Option<string?>("--board") { Description = "Board profile (overrides Indicators:Board)", HelpName = "NAME" };
        var step = new Option<double>("--step") { Description = "Seconds each indicator stays on, then off", DefaultValueFactory = _ => 1.0, HelpName = "SECONDS" };
        var test = new Command("test", "Walk each configured indicator: on, then off, naming it") { config, board, step };
        test.SetAction(async (parse, ct) => await WithIndicatorsAsync(parse.GetValue(config), parse.GetValue(board), async (options, profile, driver) =>
        {
            using var signals = new TerminationSignals(ct);
            try
            {
                await GpioCommands.TestAsync(options, profile, driver, Console.Out, TimeSpan.FromSeconds(parse.GetValue(step)), TimeProvider.System, signals.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
            {
                Console.WriteLine("interrupted: every line is back in its safe state");
            }
            return ExitCodes.Ok;
        }).ConfigureAwait(false));

        var name = new Argument<string>("name") { Description = "The indicator's configured name" };
        var mode = new Argument<string>("mode") { Description = "on, off or blink" };
        var set = new Command("set", "Hold an indicator on, off or blinking until Ctrl+C") { config, board, name, mode };
        set.SetAction(async (parse, ct) => await WithIndicatorsAsync(parse.GetValue(config), parse.GetValue(board), async (options, profile, driver) =>
        {
            using var signals = new TerminationSignals(ct);
            Console.WriteLine($"{parse.GetValue(name)}: {parse.GetValue(mode)} (Ctrl+C to release)");
            await GpioCommands.SetAsync(options, profile, driver, parse.GetValue(name)!, parse.GetValue(mode)!, TimeProvider.System, signals.Token).ConfigureAwait(false);
            Console.WriteLine($"{parse.GetValue(name)}: released in its safe state");
            return ExitCodes.Ok;
        }).ConfigureAwait(false));

        return new Command("gpio", "GPIO chips and indicators") { list, test, set };
    }

    private static async Task<int> WithIndicatorsAsync(string? configFile, string? board,
        Func<IndicatorOptions, BoardProfile, GpioControllerFactory, Task<int>> action)
    {
        try
        {
            var overrides = new Dictionary<string, string?>();
            if (board is not null) overrides["Indicators:Board"] = board;
            using var effective = EffectiveOptions.Load(ConfigurationLayers.Build(configFile, overrides));
            var options = effective.Indicators;
            var profile = BoardCatalog.Load().Get(options.Board);
            return await action(options, profile, GpioDrivers.For(profile)).ConfigureAwait(false);
        }
        catch (ConfigurationFileException e)
        {
            return CliErrors.Report(e.Message, ExitCodes.Usage);
        }
        catch (OptionsValidationException e)
        {
            return CliErrors.ReportConfiguration(e.Failures);
        }
        catch (IndicatorConfigurationException e)
        {
            return CliErrors.Report(e.Message, ExitCodes.Usage);
        }
        catch (GpioException e)
        {
            return CliErrors.Report(e.Message, ExitCodes.Failure);
        }
    }
}

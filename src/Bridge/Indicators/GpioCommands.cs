using System.Globalization;
using System.Text;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Indicators;

/// <summary>What the CLI verbs <c>gpio list</c>, <c>gpio test</c> and <c>gpio set</c> do; the verbs parse arguments
/// and call these. They run in the CLI's own process, so they fail (naming the holder) while the service holds the lines.</summary>
public static class GpioCommands
{
    /// <summary><c>gpio list</c>: every chip and line with its holder, one line each.</summary>
    public static string List(IReadOnlyList<GpioChipDescription> chips)
    {
        ArgumentNullException.ThrowIfNull(chips);
        var text = new StringBuilder();
        if (chips.Count == 0) text.AppendLine("no GPIO chips found");
        foreach (var chip in chips)
        {
            text.Append(CultureInfo.InvariantCulture, $"{chip.Name} [{chip.Label}] ({chip.Lines.Count} lines)").AppendLine();
            foreach (var line in chip.Lines)
            {
                var flags = new List<string>();
                if (line.Used) flags.Add("used");
                if (line.Output) flags.Add("output");
                if (line.ActiveLow) flags.Add("active-low");
                text.Append(CultureInfo.InvariantCulture,
                    $"  line {line.Offset,3}: {(line.Name.Length == 0 ? "unnamed" : line.Name),-16} {(line.Consumer.Length == 0 ? "unused" : $"\"{line.Consumer}\""),-16} {string.Join(' ', flags)}")
                    .AppendLine();
            }
        }
        return text.ToString();
    }

    /// <summary><c>gpio test</c>: walks each configured indicator: on for <paramref name="step"/>, then off, naming
    /// it on <paramref name="output"/>; every line ends in its safe state. <paramref name="options"/> arrive validated
    /// (the configuration's options validation); pin names are resolved against <paramref name="board"/> here.</summary>
    public static async Task TestAsync(IndicatorOptions options, BoardProfile board, GpioControllerFactory openGpio, TextWriter output,
        TimeSpan step, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(openGpio);
        var lines = IndicatorLines.Resolve(options, board);
        using var gpio = openGpio(lines);
        foreach (var indicator in options.Indicators)
        {
            var settings = lines[lines.NumberOf(indicator.Name)];
            using var line = GpioOutputLine.Open(gpio, lines, indicator.Name, indicator.SafeState == IndicatorLevel.On);
            try
            {
                line.Write(true);
                await output.WriteLineAsync($"{indicator.Name} ({indicator.Kind}, pin {indicator.Pin} = {settings.Pin}): on").ConfigureAwait(false);
                await Task.Delay(step, timeProvider, cancellationToken).ConfigureAwait(false);
                line.Write(false);
                await output.WriteLineAsync($"{indicator.Name}: off").ConfigureAwait(false);
                await Task.Delay(step, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                line.Write(indicator.SafeState == IndicatorLevel.On);
            }
        }
    }

    /// <summary><c>gpio set NAME on|off|blink</c>: drives one configured indicator and holds the line until
    /// <paramref name="hold"/> is cancelled (Ctrl-C), then returns it to its safe state.</summary>
    /// <exception cref="IndicatorConfigurationException">Unknown indicator or mode.</exception>
    public static async Task SetAsync(IndicatorOptions options, BoardProfile board, GpioControllerFactory openGpio, string indicator, string mode,
        TimeProvider timeProvider, CancellationToken hold)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openGpio);
        var action = ParseMode(mode);
        var definition = options.Indicators.FirstOrDefault(d => d.Name == indicator)
            ?? throw new IndicatorConfigurationException($"indicator '{indicator}' is not configured; configured: {string.Join(", ", options.Indicators.Select(d => d.Name))}");
        var single = new IndicatorOptions { Board = options.Board, Indicators = [definition] };
        var lines = IndicatorLines.Resolve(single, board);
        using var gpio = openGpio(lines);
        using var engine = IndicatorEngine.Open(single, lines, gpio, timeProvider, new IndicatorBoard(), (_, _) => { }, NullLogger.Instance);
        engine.ApplyAll();
        engine.Override(indicator, action, TimeSpan.FromSeconds(1));
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, hold).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (hold.IsCancellationRequested)
        {
            // Released by the user.
        }
    }

    /// <summary>Parses <c>on</c>, <c>off</c> or <c>blink</c>.</summary>
    /// <exception cref="IndicatorConfigurationException">Anything else.</exception>
    public static IndicatorAction ParseMode(string mode) => mode?.ToLowerInvariant() switch
    {
        "on" => IndicatorAction.On,
        "off" => IndicatorAction.Off,
        "blink" => IndicatorAction.Blink,
        _ => throw new IndicatorConfigurationException($"mode '{mode}' is not valid; allowed: on, off, blink"),
    };
}

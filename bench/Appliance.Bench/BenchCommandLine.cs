namespace Appliance.Bench;

/// <summary>The harness's arguments: <c>[--quick|--smoke] [--scenario NAME] [--no-report] [--report FILE] [--drain-outage SECONDS]</c>.</summary>
public sealed record BenchCommandLine(string Mode, string Scenario, bool WriteReport, string? ReportPath)
{
    /// <summary>Broker outage of the drain scenario, when not the mode's own.</summary>
    public TimeSpan? DrainOutage { get; init; }

    /// <summary>Scenario names <c>--scenario</c> accepts.</summary>
    public static IReadOnlyList<string> Scenarios { get; } = ["all", "throughput", "latency", "startup", "journal", "emulator", "micro", "journal-detail", "drain", "event-latency", "qmp-framing"];

    /// <summary>Parses <paramref name="args"/>; a bad argument throws an <see cref="ArgumentException"/> naming it.</summary>
    public static BenchCommandLine Parse(IReadOnlyList<string> args)
    {
        string mode = "full";
        string scenario = "all";
        bool report = true;
        string? reportPath = null;
        TimeSpan? drainOutage = null;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick": mode = "quick"; break;
                case "--smoke": mode = "smoke"; break;
                case "--no-report": report = false; break;
                case "--scenario":
                    scenario = i + 1 < args.Count ? args[++i] : throw new ArgumentException("--scenario needs a name: " + string.Join(", ", Scenarios));
                    if (!Scenarios.Contains(scenario)) throw new ArgumentException($"unknown scenario '{scenario}'; expected one of {string.Join(", ", Scenarios)}");
                    break;
                case "--report":
                    reportPath = i + 1 < args.Count ? args[++i] : throw new ArgumentException("--report needs a file path");
                    break;
                case "--drain-outage":
                    drainOutage = i + 1 < args.Count && int.TryParse(args[++i], System.Globalization.CultureInfo.InvariantCulture, out int seconds) && seconds > 0
                        ? TimeSpan.FromSeconds(seconds)
                        : throw new ArgumentException("--drain-outage needs a whole number of seconds above 0");
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'; usage: [--quick|--smoke] [--scenario {string.Join('|', Scenarios)}] [--no-report] [--report FILE] [--drain-outage SECONDS]");
            }
        }
        return new BenchCommandLine(mode, scenario, report && mode != "smoke", reportPath) { DrainOutage = drainOutage };
    }
}

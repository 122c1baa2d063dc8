namespace Appliance.Bench;

/// <summary>The harness's arguments: <c>[--quick|--smoke] [--scenario NAME] [--no-report] [--report FILE]</c>.</summary>
public sealed record BenchCommandLine(string Mode, string Scenario, bool WriteReport, string? ReportPath)
{
    /// <summary>Scenario names <c>--scenario</c> accepts.</summary>
    public static IReadOnlyList<string> Scenarios { get; } = ["all", "throughput", "latency", "startup", "journal", "emulator", "micro", "journal-detail"];

    /// <summary>Parses <paramref name="args"/>; a bad argument throws an <see cref="ArgumentException"/> naming it.</summary>
    public static BenchCommandLine Parse(IReadOnlyList<string> args)
    {
        string mode = "full";
        string scenario = "all";
        bool report = true;
        string? reportPath = null;
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
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'; usage: [--quick|--smoke] [--scenario {string.Join('|', Scenarios)}] [--no-report] [--report FILE]");
            }
        }
        return new BenchCommandLine(mode, scenario, report && mode != "smoke", reportPath);
    }
}

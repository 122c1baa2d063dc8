using Appliance.TestSupport.Files;
using Appliance.Bench.Harness;
using Appliance.Bench.Micro;
using Appliance.Bench.Scenarios;

namespace Appliance.Bench;

/// <summary>Runs the chosen scenarios in order, prints each table, appends it to the report and draws the charts.
/// A failing scenario is reported and the others still run.</summary>
public sealed class BenchRunner(BenchCommandLine commandLine, string command)
{
    private readonly BenchSettings _settings = BenchSettings.For(commandLine.Mode);
    private readonly MarkdownReport? _report = commandLine.WriteReport
        ? new MarkdownReport(commandLine.ReportPath ?? Path.Combine(RepoPaths.Root, "docs", "benchmarks.md"), command)
        : null;

    /// <summary>Scenarios that failed, with their error.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Runs everything selected; returns the process exit code (1 when a scenario failed).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"appliance benchmarks, {commandLine.Mode} mode, scenario {commandLine.Scenario}; {MachineInfo.Describe()}");
        if (Selected("throughput"))
        {
            await StepAsync("throughput", async () =>
            {
                var r = await ThroughputScenario.RunAsync(_settings.ThroughputEvents, _settings.PeerEvents, cancellationToken).ConfigureAwait(false);
                Emit(ThroughputScenario.ToTable(r));
                Emit(ThroughputScenario.ToFloodTable(r));
                if (_report is not null) await GnuplotCharts.ThroughputAsync(ChartDirectory, r, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        if (Selected("latency"))
        {
            await StepAsync("latency", async () =>
            {
                var rows = await LatencyScenario.RunAsync(_settings.LatencySamples, cancellationToken).ConfigureAwait(false);
                Emit(LatencyScenario.ToTable(rows));
                if (_report is not null) await GnuplotCharts.LatencyAsync(ChartDirectory, rows, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        if (Selected("event-latency"))
        {
            await StepAsync("event-latency", async () =>
            {
                var rows = await EventLatencyScenario.RunAsync(BenchSettings.EventLatencyRates, _settings.EventLatencyEvents, _settings.EventLatencyMinimum,
                    cancellationToken).ConfigureAwait(false);
                Emit(EventLatencyScenario.ToTable(rows));
                if (_report is not null) await GnuplotCharts.EventLatencyAsync(ChartDirectory, rows, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        if (Selected("startup"))
        {
            await StepAsync("startup", async () => Emit(StartupScenario.ToTable(
                await StartupScenario.RunAsync(_settings.StartupRepetitions, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        }
        if (Selected("journal"))
        {
            await StepAsync("journal", async () =>
            {
                var r = await JournalScenario.RunAsync(_settings.JournalRowCounts, _settings.BytesPerEventEvents, cancellationToken).ConfigureAwait(false);
                foreach (var t in JournalScenario.ToTables(r)) Emit(t);
            }).ConfigureAwait(false);
        }
        if (Selected("emulator"))
        {
            await StepAsync("emulator", async () => Emit(EmulatorScaleScenario.ToTable(
                await EmulatorScaleScenario.RunAsync(_settings.IdleVms, _settings.LoadEvents, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        }
        // The journal engineer's detailed suite (batch sizes, synchronous modes, critical-event commit latency under
        // background load): only when asked for, it takes minutes.
        if (commandLine.Scenario == "journal-detail")
        {
            await StepAsync("journal-detail", async () =>
            {
                using var lines = new StringWriter();
                await Appliance.Bench.Journal.JournalBenchSuite.RunAsync(lines, Directory.GetCurrentDirectory(), commandLine.Mode != "full", cancellationToken).ConfigureAwait(false);
                var table = new ResultTable("Journal in detail: batch sizes, page sizes, critical-event commit latency", "figure");
                foreach (string line in lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) table.Add(line);
                table.Note("`JournalBenchSuite` (bench/Appliance.Bench/Journal): the writer fed straight from an EventHub; critical latency is from publishing a critical event to its commit, while 20,000 or 100,000 ordinary events/s from one VM flow (JOURNAL_BENCH_LATENCY_* in JournalBenchSuite).");
                Emit(table);
            }).ConfigureAwait(false);
        }
        // Backlog drain after a broker outage: only when asked for, the full run's outage alone is 10 minutes.
        if (commandLine.Scenario == "drain")
        {
            await StepAsync("drain", async () =>
            {
                var (rate, outage) = DrainScenario.SettingsFor(commandLine.Mode);
                Emit(DrainScenario.ToTable(await DrainScenario.RunAsync(rate, commandLine.DrainOutage ?? outage, cancellationToken).ConfigureAwait(false)));
            }).ConfigureAwait(false);
        }
                // BenchmarkDotNet runs only when asked for, or in the full run: it alone would take most of the quick budget.
        if (commandLine.Scenario == "micro" || (commandLine.Scenario == "all" && commandLine.Mode == "full"))
        {
            await StepAsync("micro", () =>
            {
                Emit(MicroScenario.Run(tiny: commandLine.Mode == "smoke"));
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }
        if (commandLine.Scenario == "qmp-framing")
        {
            await StepAsync("qmp-framing", () =>
            {
                Emit(MicroScenario.RunQmpFraming(tiny: commandLine.Mode == "smoke"));
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }
        foreach (string f in Failures) Console.Error.WriteLine("FAILED " + f);
        return Failures.Count == 0 ? 0 : 1;
    }

    private string ChartDirectory => Path.Combine(Path.GetDirectoryName(_report!.Path)!, "benchmarks");

    private bool Selected(string scenario) => commandLine.Scenario == "all" || commandLine.Scenario == scenario;

    private async Task StepAsync(string name, Func<Task> step)
    {
        Console.WriteLine($"-- {name} ({DateTime.UtcNow:HH:mm:ss} UTC)");
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            var table = new ResultTable($"Scenario {name}: failed", "error");
            table.Add($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            Emit(table);
        }
    }

    private void Emit(ResultTable table)
    {
        Console.WriteLine(table.ToConsole());
        _report?.Append(table, commandLine.Mode);
    }
}

using Appliance.Bench.Harness;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Appliance.Bench.Micro;

/// <summary>Runs the BenchmarkDotNet micro-benchmarks in-process with a short job (a few iterations), so the whole set
/// takes about a minute instead of BenchmarkDotNet's default several.</summary>
public static class MicroScenario
{
    /// <summary>Runs the codec and journal benchmarks and returns their table.</summary>
    public static ResultTable Run(bool tiny)
    {
        var config = Config(tiny);
        var table = new ResultTable("Micro-benchmarks (BenchmarkDotNet 0.14, in-process, short job)", "benchmark", "mean ns/op", "allocated B/op");
        foreach (var summary in new[] { BenchmarkRunner.Run<CodecBenchmarks>(config), BenchmarkRunner.Run<JournalAppendBenchmarks>(config) })
        {
            AddRows(table, summary);
        }
        table.Note("Journal append: per event, publish on the hub through the committed SQLite transaction (batches of 512, WAL, commits synced within SyncMaxDelay). Allocated bytes count the benchmark's own thread only; the writer's allocations happen on its own loop.");
        return table;
    }

    /// <summary>Runs the QMP framing benchmarks (line reader before, stream reader now) and returns their table.</summary>
    public static ResultTable RunQmpFraming(bool tiny)
    {
        var table = new ResultTable("QMP framing + parsing per message (BenchmarkDotNet 0.14, in-process, short job)", "benchmark", "mean ns/message", "allocated B/message");
        AddRows(table, BenchmarkRunner.Run<QmpFramingBenchmarks>(Config(tiny)));
        table.Note("Event*: a 230-byte BLOCK_IO_ERROR line from QEMU to a QmpMessage (the client's hot path). Command*: a 96-byte command line to a QmpRequest (the emulator). *LineReader is the former QmpLineReader path, *StreamReader the QEMU-style stream reader.");
        return table;
    }

    private static ManualConfig Config(bool tiny)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(tiny ? 1 : 5).WithLaunchCount(1);
        if (tiny) job = job.WithInvocationCount(16).WithUnrollFactor(16);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "appliance-bench-artifacts"))
            .WithOptions(ConfigOptions.DisableLogFile);
        return config;
    }

    private static void AddRows(ResultTable table, Summary summary)
    {
        foreach (var report in summary.Reports)
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            if (report.ResultStatistics is null)
            {
                table.Add(name, "failed", "-");
                continue;
            }
            long? allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            table.Add(name, Format.Number(report.ResultStatistics.Mean, 1), allocated is { } a ? Format.Count(a) : "-");
        }
    }
}

using System.Diagnostics;
using Appliance.Bridge.Journal;

namespace Appliance.Bench.Journal;

/// <summary>"The last 100 WATCHDOG events of VM x" over a large journal.</summary>
public static class JournalQueryBench
{
    /// <summary>Generation speed and query time percentiles.</summary>
    public sealed record Result(int Rows, double GenerateRowsPerSecond, int Queries, double P50Milliseconds, double P99Milliseconds, int RowsReturned);

    /// <summary>Generates <paramref name="rows"/> rows (8 VMs, 8 event names) and times <paramref name="queries"/> queries.</summary>
    public static Task<Result> RunAsync(string directory, int rows, int queries, CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(directory, $"query-{rows}.db");
        double generated = JournalRowGenerator.Fill(path, rows, rowsPerTransaction: int.MaxValue, JournalSynchronous.Normal);
        using var journal = EventJournal.Open(new JournalOptions { Path = path });
        var times = new double[queries];
        int returned = 0;
        for (int i = 0; i < queries; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var query = new JournalQuery(Vm: BenchEvents.Vms[i % BenchEvents.Vms.Length], Events: ["WATCHDOG"], Limit: 100);
            long start = Stopwatch.GetTimestamp();
            returned = journal.Query(query).Count;
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return Task.FromResult(new Result(rows, generated, queries, times[queries / 2], times[(int)Math.Ceiling(queries * 0.99) - 1], returned));
    }
}

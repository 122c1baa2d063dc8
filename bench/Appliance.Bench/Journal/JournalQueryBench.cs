using System.Diagnostics;
using Appliance.Bridge.Journal;

namespace Appliance.Bench.Journal;

/// <summary>"The last 100 WATCHDOG events of VM x" over a large journal (critical rows, an index entry each), "the last
/// 100 RESET events of VM x" (ordinary rows, through the event markers) and "the last 100 events of VM x" (the VM filter
/// alone, through the VM markers).</summary>
public static class JournalQueryBench
{
    /// <summary>Generation speed and query time percentiles (<c>Vm*</c>: the VM filter alone).</summary>
    public sealed record Result(int Rows, double GenerateRowsPerSecond, int Queries, double P50Milliseconds, double P99Milliseconds, int RowsReturned,
        double VmP50Milliseconds, double VmP99Milliseconds, int VmRowsReturned, double OrdinaryP50Milliseconds, double OrdinaryP99Milliseconds, int OrdinaryRowsReturned);

    /// <summary>Generates <paramref name="rows"/> rows (8 VMs, 8 event names) in a journal of <paramref name="pageSize"/>-byte
    /// pages and times <paramref name="queries"/> queries of each kind.</summary>
    public static Task<Result> RunAsync(string directory, int rows, int queries, int pageSize, CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(directory, $"query-{rows}-{pageSize}.db");
        double generated = JournalRowGenerator.Fill(path, rows, rowsPerTransaction: int.MaxValue, pageSize);
        using var journal = EventJournal.Open(new JournalOptions { Path = path });
        var (p50, p99, returned) = Time(journal, queries, vm => new JournalQuery(Vm: vm, Events: ["WATCHDOG"], Limit: 100), cancellationToken);
        var (vmP50, vmP99, vmReturned) = Time(journal, queries, vm => new JournalQuery(Vm: vm, Limit: 100), cancellationToken);
        var (ordinaryP50, ordinaryP99, ordinaryReturned) = Time(journal, queries, vm => new JournalQuery(Vm: vm, Events: ["RESET"], Limit: 100), cancellationToken);
        return Task.FromResult(new Result(rows, generated, queries, p50, p99, returned, vmP50, vmP99, vmReturned, ordinaryP50, ordinaryP99, ordinaryReturned));
    }

    private static (double P50, double P99, int Returned) Time(EventJournal journal, int queries, Func<string, JournalQuery> query,
        CancellationToken cancellationToken)
    {
        var times = new double[queries];
        int returned = int.MaxValue;
        for (int i = 0; i < queries; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var q = query(BenchEvents.Vms[i % BenchEvents.Vms.Length]);
            long start = Stopwatch.GetTimestamp();
            returned = Math.Min(returned, journal.Query(q).Count);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[queries / 2], times[(int)Math.Ceiling(queries * 0.99) - 1], returned);
    }
}

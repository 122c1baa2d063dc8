using Appliance.Bridge.Journal;

namespace Appliance.Bench.Journal;

/// <summary>The raw SQLite ceiling: prepared inserts of the journal's row shape, no hub and no writer loop.</summary>
public static class SqliteInsertCeilingBench
{
    /// <summary>Rows per second in one transaction, and in transactions of <c>batch</c> rows.</summary>
    public sealed record Result(int Rows, double OneTransactionRowsPerSecond, int Batch, double BatchedRowsPerSecond);

    /// <summary>Inserts <paramref name="rows"/> rows in one transaction, then again in transactions of <paramref name="batch"/> rows.</summary>
    public static Task<Result> RunAsync(string directory, int rows, int batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        double single = JournalRowGenerator.Fill(Path.Combine(directory, "ceiling-one.db"), rows, int.MaxValue);
        double batched = JournalRowGenerator.Fill(Path.Combine(directory, "ceiling-batched.db"), rows, batch);
        return Task.FromResult(new Result(rows, single, batch, batched));
    }
}

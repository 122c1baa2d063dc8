using Appliance.Bridge.Journal;

namespace Appliance.Host.Health;

/// <summary>Flags a stuck journal writer: rows are waiting but nothing has been committed for a while.</summary>
internal sealed class JournalProgressCheck(JournalWriter writer, TimeProvider time, TimeSpan? limit = null)
{
    private readonly TimeSpan _limit = limit ?? TimeSpan.FromSeconds(10);
    private long _lastBatches = -1;
    private long _since = time.GetTimestamp();

    public string? FindProblem()
    {
        long batches = writer.Counters.Batches;
        if (batches != _lastBatches || writer.Counters.PendingRows == 0)
        {
            _lastBatches = batches;
            _since = time.GetTimestamp();
            return null;
        }
        var stuck = time.GetElapsedTime(_since);
        return stuck > _limit ? $"{writer.Counters.PendingRows} rows waiting, nothing committed for {stuck.TotalSeconds:0} s" : null;
    }
}

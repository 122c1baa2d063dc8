using Appliance.Bridge.Journal;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>Holds the journal's write lock (an open, empty transaction) on a thread of its own until disposed, so the
/// writer blocks at its next batch as behind a long flood; a monitor must be released by the thread that took it.</summary>
internal sealed class JournalWriteLockHold : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly Thread _thread;

    public JournalWriteLockHold(EventJournal journal)
    {
        using var taken = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            journal.Writer.Begin();
            taken.Set();
            _release.Wait();
            journal.Writer.Abandon();
        }) { IsBackground = true, Name = "test write lock" };
        _thread.Start();
        taken.Wait();
    }

    public void Dispose()
    {
        _release.Set();
        _thread.Join();
        _release.Dispose();
    }
}

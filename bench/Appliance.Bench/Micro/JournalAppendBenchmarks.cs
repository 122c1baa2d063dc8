using System.Text;
using Appliance.Bench.Harness;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using BenchmarkDotNet.Attributes;

namespace Appliance.Bench.Micro;

/// <summary>The journal append path: events through the hub's lossless subscription into <see cref="JournalWriter"/> and a
/// committed SQLite transaction, per event. Not sealed: BenchmarkDotNet derives from benchmark classes.</summary>
[MemoryDiagnoser]
public class JournalAppendBenchmarks
{
    private const int Batch = 512;
    private DirectoryInfo _dir = null!;
    private EventJournal _journal = null!;
    private EventHub _hub = null!;
    private JournalWriter _writer = null!;
    private VmEvent _event = null!;
    private long _target;

    /// <summary>Opens a journal and starts its writer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("bench-micro-journal-");
        var options = new JournalOptions { Path = Path.Combine(_dir.FullName, "journal.db"), BatchMaxEvents = Batch, RetentionMaxBytes = 0 };
        _journal = EventJournal.Open(options);
        _hub = new EventHub();
        _writer = new JournalWriter(_journal, _hub.Subscribe("journal", EventDelivery.Lossless), options);
        _writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _event = new VmEvent("x", (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(JournalFiller.SampleRaw)), DateTimeOffset.UtcNow, VmEventFlags.None);
    }

    /// <summary>Stops the writer and removes the journal.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _writer.Dispose();
        _journal.Dispose();
        _dir.Delete(recursive: true);
    }

    /// <summary>512 events published and committed.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task AppendCommitted()
    {
        for (int i = 0; i < Batch; i++) await _hub.PublishAsync(_event).ConfigureAwait(false);
        _target += Batch;
        while (_journal.LastCommittedSeq < _target) await _journal.WaitForCommitAsync(_journal.LastCommittedSeq, CancellationToken.None).ConfigureAwait(false);
    }
}

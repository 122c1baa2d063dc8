using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Time;
using Appliance.TestSupport.Waiting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>A journal in a temp folder, a hub with a lossless journal subscription, a writer on virtual time.</summary>
internal sealed class JournalHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempDirectory? _ownedDirectory;

    /// <param name="criticalLane">Build the writer as the host does, with its critical lane (then <see cref="Subscription"/> is null).</param>
    public JournalHarness(Action<JournalOptions>? configure = null, TempDirectory? directory = null, int queueCapacity = 8192,
        bool criticalLane = false)
    {
        _ownedDirectory = directory is null ? new TempDirectory() : null;
        Directory = directory ?? _ownedDirectory!;
        Options = new JournalOptions { Path = Directory.File("journal.db"), BatchMaxDelay = TimeSpan.FromMilliseconds(5) };
        configure?.Invoke(Options);
        Journal = EventJournal.Open(Options);
        if (criticalLane)
        {
            Writer = new JournalWriter(Journal, Hub, Options, NullLogger<JournalWriter>.Instance, Time);
            return;
        }
        Subscription = Hub.Subscribe("journal", EventDelivery.Lossless, queueCapacity);
        Writer = new JournalWriter(Journal, Subscription, Options, timeProvider: Time);
    }

    public TempDirectory Directory { get; }
    public JournalOptions Options { get; }
    public TimerCountingTimeProvider Time { get; } = new(TestEvents.Start);
    public EventHub Hub { get; } = new();
    public EventSubscription Subscription { get; } = null!;
    public EventJournal Journal { get; }
    public JournalWriter Writer { get; }

    public Task StartAsync() => Writer.StartAsync(CancellationToken.None);

    /// <summary>Bytes of the journal's -wal file now (0 when there is none).</summary>
    public long WalFileBytes()
    {
        var wal = new FileInfo(Options.Path + "-wal");
        return wal.Exists ? wal.Length : 0;
    }

    public async Task PublishAsync(IEnumerable<VmEvent> events)
    {
        foreach (var e in events) await Hub.PublishAsync(e);
    }

    public async Task WaitForSeqAsync(long seq)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await Journal.WaitForCommitAsync(seq - 1, timeout.Token);
    }

    /// <summary>Polls a condition the code under test reaches on its own (a counter, an armed timer), with a generous limit.</summary>
    public static Task EventuallyAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, what, Patience);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await Writer.StopAsync(timeout.Token);
        Writer.Dispose();
        Journal.Dispose();
        _ownedDirectory?.Dispose();
    }
}

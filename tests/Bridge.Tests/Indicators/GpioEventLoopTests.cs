using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Interop.Gpio;
using Appliance.TestSupport.Waiting;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>The one epoll thread that watches every input line. This kernel has no gpio-sim, so real eventfds stand
/// in for line request descriptors: epoll treats every readable descriptor alike.</summary>
public sealed class GpioEventLoopTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Readable_descriptor_runs_its_handler_on_the_loop_thread()
    {
        using var loop = new GpioEventLoop("test-edges");
        using var signal = EventFdHandle.Create();
        var ran = new TaskCompletionSource<(string? Thread, ulong Value)>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Add(signal.Handle, () => ran.TrySetResult((Thread.CurrentThread.Name, signal.Drain())));

        signal.Signal();

        var (thread, value) = await ran.Task.WaitAsync(Limit);
        Assert.Equal("test-edges", thread);
        Assert.Equal(1UL, value);
        loop.Remove(signal.Handle);
    }

    [Fact]
    public async Task Many_descriptors_share_one_thread_and_each_gets_its_own_handler()
    {
        using var loop = new GpioEventLoop("test-edges");
        var signals = Enumerable.Range(0, 8).Select(_ => EventFdHandle.Create()).ToArray();
        var threads = new HashSet<int>();
        var counts = new int[signals.Length];
        try
        {
            for (int i = 0; i < signals.Length; i++)
            {
                int index = i;
                loop.Add(signals[i].Handle, () =>
                {
                    lock (threads) threads.Add(Environment.CurrentManagedThreadId);
                    Interlocked.Add(ref counts[index], (int)signals[index].Drain());
                });
            }

            for (int round = 0; round < 3; round++)
            {
                foreach (var signal in signals) signal.Signal();
                int expected = round + 1;
                await Eventually.TrueAsync(() => Enumerable.Range(0, counts.Length).All(i => Volatile.Read(ref counts[i]) == expected), $"every eventfd handled {expected} times", Limit);
            }

            Assert.Single(threads);
            Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
        }
        finally
        {
            foreach (var signal in signals)
            {
                loop.Remove(signal.Handle);
                signal.Dispose();
            }
        }
    }

    [Fact]
    public async Task Removed_descriptor_is_no_longer_handled()
    {
        using var loop = new GpioEventLoop("test-edges");
        using var removed = EventFdHandle.Create();
        using var kept = EventFdHandle.Create();
        int removedRuns = 0, keptRuns = 0;
        loop.Add(removed.Handle, () => Interlocked.Increment(ref removedRuns));
        loop.Add(kept.Handle, () =>
        {
            kept.Drain();
            Interlocked.Increment(ref keptRuns);
        });

        loop.Remove(removed.Handle);
        removed.Signal();
        kept.Signal();
        await Eventually.TrueAsync(() => Volatile.Read(ref keptRuns) == 1, "the kept eventfd is handled", Limit);
        // The loop handled a wakeup after the removed one became readable: had it still watched it, it would have run.
        kept.Signal();
        await Eventually.TrueAsync(() => Volatile.Read(ref keptRuns) == 2, "the kept eventfd is handled again", Limit);

        Assert.Equal(0, Volatile.Read(ref removedRuns));
        loop.Remove(kept.Handle);
    }

    [Fact]
    public async Task Throwing_handler_does_not_stop_the_loop()
    {
        using var loop = new GpioEventLoop("test-edges");
        using var bad = EventFdHandle.Create();
        using var good = EventFdHandle.Create();
        int badRuns = 0;
        var goodRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Add(bad.Handle, () =>
        {
            bad.Drain();
            Interlocked.Increment(ref badRuns);
            throw new IOException("line gone");
        });
        loop.Add(good.Handle, () =>
        {
            good.Drain();
            goodRan.TrySetResult();
        });

        bad.Signal();
        await Eventually.TrueAsync(() => Volatile.Read(ref badRuns) == 1, "the bad handler ran", Limit);
        good.Signal();

        await goodRan.Task.WaitAsync(Limit);
        Assert.Null(loop.Failure);
        loop.Remove(bad.Handle);
        loop.Remove(good.Handle);
    }

    [Fact]
    public async Task Dispose_wakes_the_thread_blocked_in_epoll_wait_and_waits_for_it()
    {
        var loop = new GpioEventLoop("test-edges");

        await Task.Run(loop.Dispose).WaitAsync(Limit);

        Assert.Null(loop.Failure);
    }

    [Fact]
    public void Descriptor_stays_open_while_registered_even_if_its_owner_disposes_it()
    {
        using var loop = new GpioEventLoop("test-edges");
        var signal = EventFdHandle.Create();
        loop.Add(signal.Handle, () => signal.Drain());

        signal.Dispose();
        Assert.False(signal.Handle.IsClosed, "epoll still holds a reference: the number cannot be reused while registered");
        loop.Remove(signal.Handle);

        Assert.True(signal.Handle.IsClosed);
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Appliance.Bench.Harness;

/// <summary>An independent subscriber: a <c>mosquitto_sub -q 1</c> process on <c>ROOT/#</c> printing only topics, counting
/// the messages whose topic ends with a suffix, and when the last one arrived.</summary>
public sealed class TopicCounter : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _suffix;
    private readonly string _probeTopic;
    private long _count;
    private long _lastArrival;
    private long _probes;

    private TopicCounter(string root, string suffix, int port)
    {
        _suffix = suffix;
        _probeTopic = root + "/probe";
        _process = ChildProcess.Start("mosquitto_sub",
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", root + "/#", "-F", "%t"], OnLine);
    }

    /// <summary>Messages counted so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary><see cref="Stopwatch"/> timestamp of the last counted message (0 before the first).</summary>
    public long LastArrival => Interlocked.Read(ref _lastArrival);

    /// <summary>Starts the subscriber and returns once its subscription is live (a probe message came through).</summary>
    public static async Task<TopicCounter> StartAsync(int port, string root, string suffix, CancellationToken cancellationToken)
    {
        var counter = new TopicCounter(root, suffix, port);
        var deadline = Stopwatch.StartNew();
        while (Interlocked.Read(ref counter._probes) == 0)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                counter.Dispose();
                throw new TimeoutException($"mosquitto_sub on port {port} did not receive a probe within 30 s");
            }
            await ChildProcess.RunAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1",
                "-t", counter._probeTopic, "-m", "probe"], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        return counter;
    }

    /// <summary>Waits until <paramref name="expected"/> messages arrived, or none arrived for <paramref name="quiet"/>;
    /// returns the count.</summary>
    public async Task<long> WaitForAsync(long expected, TimeSpan quiet, CancellationToken cancellationToken)
    {
        long seen = -1;
        var still = Stopwatch.StartNew();
        while (Count < expected)
        {
            if (Count != seen)
            {
                seen = Count;
                still.Restart();
            }
            else if (still.Elapsed > quiet)
            {
                break;
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        return Count;
    }

    /// <summary>Stops the subscriber.</summary>
    public void Dispose() => _process.Dispose();

    private void OnLine(string topic)
    {
        if (topic == _probeTopic)
        {
            Interlocked.Increment(ref _probes);
        }
        else if (topic.EndsWith(_suffix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _count);
            Interlocked.Exchange(ref _lastArrival, Stopwatch.GetTimestamp());
        }
    }
}

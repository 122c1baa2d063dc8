using System.Diagnostics;
using System.Globalization;
using Appliance.Bench.Harness;

namespace Appliance.Bench.Mqtt;

/// <summary>An independent subscriber with a persistent session (<c>mosquitto_sub -q 1 -c -i ID</c>), so it rides
/// through a broker restart and the broker queues for it meanwhile. It reads the <c>vm</c> and <c>seq</c> of each event
/// message and counts distinct seqs, duplicates, and seqs that arrive out of order within their VM.</summary>
public sealed class SeqCounter : IDisposable
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _seen = [];
    private readonly Dictionary<string, long> _lastPerVm = new(StringComparer.Ordinal);
    private readonly ChildProcess _process;
    private readonly string _probe;
    private long _duplicates;
    private long _outOfOrder;
    private int _probes;

    private SeqCounter(int port, string root, string eventName)
    {
        _probe = "probe-" + Guid.NewGuid().ToString("N")[..8];
        _process = ChildProcess.Start("mosquitto_sub",
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-c", "-i", "seq-counter-" + _probe,
             "-t", $"{root}/+/vm/+/event/{eventName}", "-t", root + "/" + _probe, "-F", "%p"], OnLine);
    }

    /// <summary>Distinct event seqs received.</summary>
    public long Distinct
    {
        get { lock (_gate) return _seen.Count; }
    }

    /// <summary>Messages whose seq had already arrived (at-least-once re-sends).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>First arrivals whose seq is lower than an earlier first arrival of the same VM.</summary>
    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    /// <summary>Starts the subscriber on <c>ROOT/+/vm/+/event/EVENT</c> and returns once its subscription is live (a
    /// probe message came through).</summary>
    public static async Task<SeqCounter> StartAsync(int port, string root, string eventName, CancellationToken cancellationToken)
    {
        var counter = new SeqCounter(port, root, eventName);
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref counter._probes) == 0)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                counter.Dispose();
                throw new TimeoutException($"mosquitto_sub on port {port} did not receive a probe within 30 s");
            }
            await ChildProcess.RunAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1",
                "-t", root + "/" + counter._probe, "-m", counter._probe], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        return counter;
    }

    /// <summary>Waits until <paramref name="expected"/> distinct seqs arrived, or none arrived for <paramref name="quiet"/>.</summary>
    public async Task<long> WaitForAsync(long expected, TimeSpan quiet, CancellationToken cancellationToken)
    {
        long seen = -1;
        var still = Stopwatch.StartNew();
        while (Distinct < expected)
        {
            if (Distinct != seen)
            {
                seen = Distinct;
                still.Restart();
            }
            else if (still.Elapsed > quiet)
            {
                break;
            }
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return Distinct;
    }

    /// <summary>Stops the subscriber.</summary>
    public void Dispose() => _process.Dispose();

    private void OnLine(string payload)
    {
        if (payload == _probe)
        {
            Interlocked.Increment(ref _probes);
            return;
        }
        if (!long.TryParse(Field(payload, "\"seq\":"), CultureInfo.InvariantCulture, out long seq)) return;
        string vm = Field(payload, "\"vm\":\"").ToString();
        lock (_gate)
        {
            if (!_seen.Add(seq))
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
            if (_lastPerVm.TryGetValue(vm, out long last) && seq < last) Interlocked.Increment(ref _outOfOrder);
            else _lastPerVm[vm] = seq;
        }
    }

    /// <summary>The text after <paramref name="key"/> up to the next comma, quote or brace (the mirror writes compact JSON).</summary>
    private static ReadOnlySpan<char> Field(string payload, string key)
    {
        int at = payload.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return default;
        var rest = payload.AsSpan(at + key.Length);
        int end = rest.IndexOfAny(",\"}");
        return end < 0 ? rest : rest[..end];
    }
}

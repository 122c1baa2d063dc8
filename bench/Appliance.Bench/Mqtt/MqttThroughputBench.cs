using System.Diagnostics;
using System.Globalization;
using Appliance.Bench.Harness;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Mqtt;

/// <summary>Figures of the MQTT mirror alone flooding a broker from a journal backlog (QoS 1, loopback).</summary>
/// <param name="Gc">The GC setting the run had.</param>
/// <param name="Events">Events in the backlog.</param>
/// <param name="EventsPerSecond">Rows acknowledged by the broker per second (the cursor moved over them).</param>
/// <param name="BytesPerEvent">Managed bytes allocated by the whole process, every thread, per event.</param>
/// <param name="PeakRssKib">Peak resident set of the process (VmHWM).</param>
/// <param name="Gen0Collections">Gen 0 collections during the flood.</param>
/// <param name="StopMilliseconds">The mirror's stop with the broker connected: offline status, its PUBACK, DISCONNECT.</param>
public sealed record MqttFloodResult(string Gc, int Events, double EventsPerSecond, double BytesPerEvent, long PeakRssKib, int Gen0Collections,
    double StopMilliseconds);

/// <summary>The mirror draining a journal backlog into a private mosquitto as fast as PUBACKs come back. Runs in a
/// child process per GC setting, so that the peak RSS and the GC budget are the flood's own.</summary>
public static class MqttThroughputBench
{
    /// <summary>The hidden command line that runs one flood in this process and prints its figures.</summary>
    public const string ChildArgument = "--mqtt-flood-child";

    /// <summary>A small gen 0 budget (1 MiB, hexadecimal as the runtime reads it) for the second run.</summary>
    public const string SmallGen0 = "100000";

    /// <summary>Runs the flood in a child process, with the default GC or with <c>DOTNET_GCgen0size</c> set.</summary>
    public static async Task<MqttFloodResult> RunInChildAsync(int events, int inFlight, string? gen0Size, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") info.ArgumentList.Add(typeof(MqttThroughputBench).Assembly.Location);
        foreach (string a in new[] { ChildArgument, events.ToString(CultureInfo.InvariantCulture), inFlight.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }
        if (gen0Size is not null) info.Environment["DOTNET_GCgen0size"] = gen0Size;
        using var child = Process.Start(info) ?? throw new InvalidOperationException("the flood child did not start");
        string output = await child.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await child.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var f = output.Trim().Split('\n')[^1].Split(' ');
        if (child.ExitCode != 0 || f.Length != 5) throw new InvalidOperationException($"the flood child failed ({child.ExitCode}): {output}");
        var inv = CultureInfo.InvariantCulture;
        return new MqttFloodResult(gen0Size is null ? "default" : $"DOTNET_GCgen0size=0x{gen0Size}", events, double.Parse(f[0], inv),
            double.Parse(f[1], inv), long.Parse(f[2], inv), int.Parse(f[3], inv), double.Parse(f[4], inv));
    }

    /// <summary>The child's side: one flood on a fresh mosquitto, figures on one line.</summary>
    public static async Task<int> RunChildAsync(IReadOnlyList<string> args)
    {
        int events = int.Parse(args[1], CultureInfo.InvariantCulture);
        int inFlight = int.Parse(args[2], CultureInfo.InvariantCulture);
        var broker = new BenchBroker();
        await using var disposeBroker = broker.ConfigureAwait(false);
        await broker.StartAsync().ConfigureAwait(false);
        // A short warm-up flood first, so JIT and pools are not counted against the events.
        await FloodAsync(broker, Math.Min(events, 5_000), inFlight).ConfigureAwait(false);
        using var sampler = Environment.GetEnvironmentVariable("BENCH_ALLOCATION_TYPES") == "1" ? new AllocationSampler() : null;
        if (sampler is not null) sampler.Enabled = true;
        int gen0 = GC.CollectionCount(0);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var (rate, stopMs) = await FloodAsync(broker, events, inFlight).ConfigureAwait(false);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        if (sampler is not null)
        {
            sampler.Enabled = false;
            await Console.Error.WriteLineAsync(sampler.Report(events)).ConfigureAwait(false);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rate:F0} {(double)allocated / events:F0} {ProcFs.PeakResidentKibOfSelf()} {GC.CollectionCount(0) - gen0} {stopMs:F1}"));
        return 0;
    }

    /// <summary>Starts a mirror over a backlog of <paramref name="events"/> rows and times it until every row is
    /// acknowledged, then times its stop. The backlog is built before the clock starts but inside the allocation
    /// count: its row objects (entry, raw line, VM name) stand in for what reading them from SQLite allocates.</summary>
    private static async Task<(double Rate, double StopMilliseconds)> FloodAsync(BenchBroker broker, int events, int inFlight)
    {
        var journal = new BenchJournal(events, vms: 4);
        using var mirror = new MqttMirror(Options(broker, inFlight), journal, new VmStatusBoard(), new NoGateway(), NullLogger<MqttMirror>.Instance);
        var clock = Stopwatch.StartNew();
        await mirror.StartAsync(CancellationToken.None).ConfigureAwait(false);
        while (mirror.DeliveredThrough < events) await Task.Delay(5).ConfigureAwait(false);
        double rate = events / clock.Elapsed.TotalSeconds;
        long stop = Stopwatch.GetTimestamp();
        await mirror.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return (rate, Stopwatch.GetElapsedTime(stop).TotalMilliseconds);
    }

    private static MqttMirrorOptions Options(BenchBroker broker, int inFlight) => new()
    {
        TopicPrefix = "bench",
        Node = "node",
        MaxInFlight = inFlight,
        Broker = new MqttBrokerOptions
        {
            Host = "127.0.0.1",
            Port = broker.Port,
            ClientId = "bench-mirror-" + Guid.NewGuid().ToString("N")[..6],
            ReconnectDelay = TimeSpan.FromSeconds(1),
            ReconnectDelayMax = TimeSpan.FromSeconds(1),
        },
    };

    private sealed class NoGateway : IVmCommandGateway
    {
        public IReadOnlyCollection<string> VmNames => [];

        public Task<QmpResponse> ExecuteAsync(string vm, string command, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken) =>
            throw new KeyNotFoundException(vm);
    }
}

using System.Diagnostics;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Mqtt;

/// <summary>Figures of one MQTT benchmark run (messages per second; QoS 1; loopback broker).</summary>
/// <param name="Events">Events in the journal backlog.</param>
/// <param name="InFlight">The mirror's in-flight window.</param>
/// <param name="MirrorAckedPerSecond">Backlog drain: journal rows acknowledged by the broker per second (cursor moved).</param>
/// <param name="MirrorDeliveredPerSecond">The same run as seen by a mosquitto_sub subscriber receiving all of them.</param>
/// <param name="CeilingPerSecond">mosquitto's own: mosquitto_pub -l -q 1 into the same subscriber, per second delivered.</param>
/// <param name="CeilingDelivered">How many of the mosquitto_pub lines reached the subscriber (mosquitto_pub may drop at exit).</param>
/// <param name="DrainAfterOutagePerSecond">Backlog built while the broker was down, drained after it came up, rows per second.</param>
public sealed record MqttThroughputResult(int Events, int InFlight, double MirrorAckedPerSecond, double MirrorDeliveredPerSecond,
    double CeilingPerSecond, int CeilingDelivered, double DrainAfterOutagePerSecond);

/// <summary>QoS 1 throughput of the MQTT mirror draining a journal backlog, against mosquitto's own client in the same run.</summary>
public static class MqttThroughputBench
{
    /// <summary>Runs both measurements on a fresh loopback mosquitto.</summary>
    public static async Task<MqttThroughputResult> RunAsync(int events = 50_000, int inFlight = 256, CancellationToken cancellationToken = default)
    {
        var broker = new BenchBroker();
        await using var disposeBroker = broker.ConfigureAwait(false);
        await broker.StartAsync().ConfigureAwait(false);
        var (acked, delivered) = await MirrorAsync(broker, events, inFlight, cancellationToken).ConfigureAwait(false);
        var (ceiling, ceilingDelivered) = await CeilingAsync(broker, events, cancellationToken).ConfigureAwait(false);
        double drain = await DrainAfterOutageAsync(events, inFlight, cancellationToken).ConfigureAwait(false);
        return new MqttThroughputResult(events, inFlight, acked, delivered, ceiling, ceilingDelivered, drain);
    }

    /// <summary>The mirror starts while the broker is down (the backlog waits in the journal); the clock runs from
    /// the broker's start until every row is acknowledged.</summary>
    private static async Task<double> DrainAfterOutageAsync(int events, int inFlight, CancellationToken cancellationToken)
    {
        var broker = new BenchBroker();
        await using var disposeBroker = broker.ConfigureAwait(false);
        var journal = new BenchJournal(events, vms: 4);
        using var mirror = new MqttMirror(Options(broker, inFlight), journal, new VmStatusBoard(), new NoGateway(), NullLogger<MqttMirror>.Instance);
        await mirror.StartAsync(cancellationToken).ConfigureAwait(false);
        await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await broker.StartAsync().ConfigureAwait(false);
        while (mirror.DeliveredThrough < events) await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        double rate = events / clock.Elapsed.TotalSeconds;
        await mirror.StopAsync(cancellationToken).ConfigureAwait(false);
        return rate;
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

    private static async Task<(double Acked, double Delivered)> MirrorAsync(BenchBroker broker, int events, int inFlight, CancellationToken cancellationToken)
    {
        var journal = new BenchJournal(events, vms: 4);
        using var subscriber = broker.Subscribe("bench/node/vm/+/event/+", events);
        var reading = subscriber.StandardOutput.ReadToEndAsync(cancellationToken);
        await Task.Delay(500, cancellationToken).ConfigureAwait(false); // let mosquitto_sub subscribe
        using var mirror = new MqttMirror(Options(broker, inFlight), journal, new VmStatusBoard(), new NoGateway(), NullLogger<MqttMirror>.Instance);
        var clock = Stopwatch.StartNew();
        await mirror.StartAsync(cancellationToken).ConfigureAwait(false);
        while (mirror.DeliveredThrough < events) await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        double acked = events / clock.Elapsed.TotalSeconds;
        await reading.ConfigureAwait(false);
        await subscriber.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        double delivered = events / clock.Elapsed.TotalSeconds;
        await mirror.StopAsync(cancellationToken).ConfigureAwait(false);
        return (acked, delivered);
    }

    private static async Task<(double PerSecond, int Delivered)> CeilingAsync(BenchBroker broker, int events, CancellationToken cancellationToken)
    {
        using var subscriber = broker.Subscribe("bench/ceiling", events);
        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        using var publisher = Process.Start(new ProcessStartInfo(BenchBroker.Tool("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", "bench/ceiling", "-l"])
        { RedirectStandardInput = true })!;
        string line = """{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "RESUME", "data": {}, "node": "node", "vm": "vm0", "seq": 1}""";
        for (int i = 0; i < events; i++) await publisher.StandardInput.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
        publisher.StandardInput.Close();
        // mosquitto_pub may exit before all lines are acknowledged (see PLATFORM.md), so count what arrives and
        // stop listening once nothing has come for a few seconds.
        int received = 0;
        var lastAt = TimeSpan.Zero;
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counting = Task.Run(async () =>
        {
            while (await subscriber.StandardOutput.ReadLineAsync(quiet.Token).ConfigureAwait(false) is not null)
            {
                received++;
                lastAt = clock.Elapsed;
            }
        }, quiet.Token);
        await publisher.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        while (!counting.IsCompleted && clock.Elapsed - lastAt < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        await quiet.CancelAsync().ConfigureAwait(false);
        if (!subscriber.HasExited) subscriber.Kill();
        double seconds = lastAt.TotalSeconds;
        return (received / seconds, received);
    }

    private sealed class NoGateway : IVmCommandGateway
    {
        public IReadOnlyCollection<string> VmNames => [];

        public Task<QmpResponse> ExecuteAsync(string vm, string command, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken) =>
            throw new KeyNotFoundException(vm);
    }
}

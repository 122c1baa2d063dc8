using System.Device.Gpio;
using System.Diagnostics;
using System.Text;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Indicators;

/// <summary>Latency from an event's arrival at the <see cref="EventHub"/> to the simulated GPIO line write, while
/// other events stream through the hub at a given rate (with a lossless "journal" subscriber draining them).</summary>
public static class IndicatorLatencyBench
{
    /// <summary>Runs the standard set: 0, 1,000 and 10,000 background events/s.</summary>
    public static async Task<IReadOnlyList<IndicatorLatencyReport>> RunAllAsync(int samples = 5000, CancellationToken cancellationToken = default)
    {
        var reports = new List<IndicatorLatencyReport>();
        foreach (int rate in new[] { 0, 1_000, 10_000 })
        {
            reports.Add(await RunAsync(rate, samples, cancellationToken).ConfigureAwait(false));
        }
        return reports;
    }

    /// <summary>Measures <paramref name="samples"/> STOP/RESUME events (each flips the line) under
    /// <paramref name="backgroundEventsPerSecond"/> unrelated events per second.</summary>
    public static async Task<IndicatorLatencyReport> RunAsync(int backgroundEventsPerSecond, int samples = 5000, CancellationToken cancellationToken = default)
    {
        var time = TimeProvider.System;
        var driver = new SimulatedGpioChips(time);
        var hub = new EventHub();
        var status = new VmStatusBoard(time);
        var options = new IndicatorOptions
        {
            Indicators = [new IndicatorDefinition { Name = "lamp", Pin = "SIM0" }],
            Rules =
            [
                new IndicatorRule { Indicator = "lamp", RunStates = ["running"], Action = IndicatorAction.On },
                new IndicatorRule { Indicator = "lamp", RunStates = ["paused"], Action = IndicatorAction.Off },
            ],
        };
        var journal = hub.Subscribe("journal", EventDelivery.Lossless);
        var hardware = new IndicatorHardware(BoardCatalog.Load([]).Get("sim"), lines => new GpioController(new SimulatedGpioDriver(driver, lines)));
        using var service = new IndicatorService(options, hardware, hub, status, time, NullLogger<IndicatorService>.Instance);

        long written = 0;
        using var signal = new SemaphoreSlim(0);
        driver.LineWritten += t =>
        {
            Volatile.Write(ref written, t.Timestamp);
            signal.Release();
        };
        await service.StartAsync(cancellationToken).ConfigureAwait(false);
        while (signal.CurrentCount > 0) await signal.WaitAsync(cancellationToken).ConfigureAwait(false);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var drain = DrainAsync(journal, stop.Token);
        var background = backgroundEventsPerSecond > 0 ? BackgroundAsync(hub, backgroundEventsPerSecond, stop.Token) : Task.CompletedTask;

        var stopEvent = Event("STOP", runState: "paused");
        var resumeEvent = Event("RESUME", runState: "running");
        await hub.PublishAsync(resumeEvent, cancellationToken).ConfigureAwait(false);
        await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool running = true;
        int warmup = Math.Min(500, samples / 5);
        var latencies = new double[samples];
        for (int i = -warmup; i < samples; i++)
        {
            var vmEvent = running ? stopEvent : resumeEvent;
            running = !running;
            long start = Stopwatch.GetTimestamp();
            await hub.PublishAsync(vmEvent with { Received = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            if (!await signal.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
            {
                throw new TimeoutException($"the line was not written within 10 s (sample {i}, dropped {service.Dropped})");
            }
            if (i >= 0) latencies[i] = Stopwatch.GetElapsedTime(start, Volatile.Read(ref written)).TotalMicroseconds;
            await Task.Yield();
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(drain, background).ConfigureAwait(false);
        await service.StopAsync(CancellationToken.None).ConfigureAwait(false);
        Array.Sort(latencies);
        return new IndicatorLatencyReport(backgroundEventsPerSecond, samples, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            Percentile(latencies, 0.999), latencies[^1], service.Dropped);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    // The run state is stamped as the VM's monitor stamps it (VmEvent.RunState): the indicators take it from there.
    private static VmEvent Event(string name, string vm = "vm1", string? runState = null)
    {
        var line = Encoding.UTF8.GetBytes($$$"""{"event": "{{{name}}}", "data": {"action": "x"}, "timestamp": {"seconds": 1700000000, "microseconds": 0}}""");
        return new VmEvent(vm, (QmpEvent)QmpMessageParser.Parse(line), DateTimeOffset.UtcNow, VmEventFlags.None) { RunState = runState };
    }

    private static async Task DrainAsync(EventSubscription journal, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in journal.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    // Publishes unrelated events at a steady rate from another VM, in 1 ms slices.
    private static async Task BackgroundAsync(EventHub hub, int perSecond, CancellationToken cancellationToken)
    {
        var noise = Event("RTC_CHANGE", "noise");
        long started = Stopwatch.GetTimestamp();
        long sent = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                long due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond);
                for (; sent < due; sent++) await hub.PublishAsync(noise, cancellationToken).ConfigureAwait(false);
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }
}

/// <summary>Latency percentiles in microseconds, from hub arrival to line write.</summary>
/// <param name="BackgroundEventsPerSecond">Unrelated events per second during the run.</param>
/// <param name="Samples">Measured events.</param>
/// <param name="P50Microseconds">Median.</param>
/// <param name="P99Microseconds">99th percentile (goal: at most 1,000).</param>
/// <param name="P999Microseconds">99.9th percentile.</param>
/// <param name="MaxMicroseconds">Worst.</param>
/// <param name="Dropped">Events the indicator subscription dropped.</param>
public sealed record IndicatorLatencyReport(int BackgroundEventsPerSecond, int Samples, double P50Microseconds, double P99Microseconds,
    double P999Microseconds, double MaxMicroseconds, long Dropped)
{
    /// <summary>One line for the console.</summary>
    public override string ToString() =>
        $"indicator latency @ {BackgroundEventsPerSecond,6} bg ev/s, n={Samples}: p50 {P50Microseconds:F0} us, p99 {P99Microseconds:F0} us, " +
        $"p99.9 {P999Microseconds:F0} us, max {MaxMicroseconds:F0} us, dropped {Dropped}";
}

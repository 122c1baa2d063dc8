using Appliance.TestSupport.Network;
using System.Diagnostics;
using System.Text;
using Appliance.Bench.Harness;
using Appliance.Bench.Indicators;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Bench.Scenarios;

/// <summary>Scenario 2: event arrival to GPIO line write. The indicator bench at 0, 1,000 and 10,000 background events/s,
/// then the whole appliance host with its MQTT broker unreachable (the mirror keeps reconnecting meanwhile).</summary>
public static class LatencyScenario
{
    /// <summary>Runs all four measurements with <paramref name="samples"/> line writes each.</summary>
    public static async Task<IReadOnlyList<LatencyRow>> RunAsync(int samples, CancellationToken cancellationToken)
    {
        var rows = new List<LatencyRow>();
        foreach (var r in await IndicatorLatencyBench.RunAllAsync(samples, cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new LatencyRow($"{Format.Count(r.BackgroundEventsPerSecond)} bg events/s", r.Samples, r.P50Microseconds, r.P99Microseconds,
                r.P999Microseconds, r.MaxMicroseconds, r.Dropped));
        }
        rows.Add(await BrokerDownAsync(samples, cancellationToken).ConfigureAwait(false));
        return rows;
    }

    /// <summary>The report's table.</summary>
    public static ResultTable ToTable(IReadOnlyList<LatencyRow> rows)
    {
        var table = new ResultTable("Latency: event at the hub -> GPIO line write (simulated chip)",
            "condition", "samples", "p50 us", "p99 us", "p99.9 us", "max us", "dropped");
        foreach (var r in rows)
        {
            table.Add(r.Condition, Format.Count(r.Samples), Format.Number(r.P50), Format.Number(r.P99), Format.Number(r.P999),
                Format.Number(r.Max), Format.Count(r.Dropped));
        }
        table.Note($"p99 at most 1,000 us in every condition: {Format.Met(rows.All(r => r.P99 <= 1000))}.");
        table.Note("Background rows: `IndicatorLatencyBench` (indicator service + lossless journal drain on one hub). Broker down: the full host composed as `appliance run` (journal writer, MQTT mirror retrying a closed port, monitors), STOP/RESUME published on its hub.");
        return table;
    }

    private static async Task<LatencyRow> BrokerDownAsync(int samples, CancellationToken cancellationToken)
    {
        var emulator = new EmulatorFixture();
        await using var emulatorScope = emulator.ConfigureAwait(false);
        string socket = await emulator.StartVmAsync("x", cancellationToken).ConfigureAwait(false);
        var extra = new Dictionary<string, string?>
        {
            ["Indicators:Indicators:0:Name"] = "lamp",
            ["Indicators:Indicators:0:Pin"] = "SIM5",
            ["Indicators:Rules:0:Indicator"] = "lamp",
            ["Indicators:Rules:0:RunStates:0"] = "running",
            ["Indicators:Rules:0:Vm"] = "probe",
            ["Indicators:Rules:0:Action"] = "On",
            ["Indicators:Rules:1:Indicator"] = "lamp",
            ["Indicators:Rules:1:RunStates:0"] = "paused",
            ["Indicators:Rules:1:Vm"] = "probe",
            ["Indicators:Rules:1:Action"] = "Off",
            ["Mqtt:Broker:ReconnectDelay"] = "00:00:00.1",
            ["Mqtt:Broker:ReconnectDelayMax"] = "00:00:00.5",
        };
        var appliance = await InProcessAppliance.StartAsync(new Dictionary<string, string> { ["x"] = socket }, FreePort.Next(),
            "bench", extra, cancellationToken).ConfigureAwait(false);
        await using var applianceScope = appliance.ConfigureAwait(false);
        var driver = appliance.Services.GetRequiredService<SimulatedGpioChips>();
        var hub = appliance.Services.GetRequiredService<EventHub>();
        long written = 0;
        using var signal = new SemaphoreSlim(0);
        void OnLineWritten(GpioTransition t)
        {
            if (t.Pin.Line != 5) return;
            Volatile.Write(ref written, t.Timestamp);
            signal.Release();
        }
        driver.LineWritten += OnLineWritten;
        var latencies = new double[samples];
        try
        {
            var stop = Event("STOP", "paused");
            var resume = Event("RESUME", "running");
            bool running = false;
            int warmup = Math.Min(200, samples / 5);
            for (int i = -warmup - 1; i < samples; i++)
            {
                var e = running ? stop : resume;
                running = !running;
                long start = Stopwatch.GetTimestamp();
                await hub.PublishAsync(e with { Received = DateTimeOffset.UtcNow }, cancellationToken).ConfigureAwait(false);
                if (!await signal.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
                    throw new TimeoutException($"broker-down latency: the lamp line was not written within 10 s (sample {i})");
                if (i >= 0) latencies[i] = Stopwatch.GetElapsedTime(start, Volatile.Read(ref written)).TotalMicroseconds;
                await Task.Yield();
            }
        }
        finally
        {
            // The host writes safe states as it stops, after this method's semaphore is gone.
            driver.LineWritten -= OnLineWritten;
        }
        Array.Sort(latencies);
        return new LatencyRow("broker down, full host", samples, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            Percentile(latencies, 0.999), latencies[^1], 0);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    // The run state is stamped as the VM's monitor stamps it (VmEvent.RunState): the indicators take it from there.
    private static VmEvent Event(string name, string runState)
    {
        var line = Encoding.UTF8.GetBytes($$$"""{"event": "{{{name}}}", "data": {"action": "x"}, "timestamp": {"seconds": 1700000000, "microseconds": 0}}""");
        return new VmEvent("probe", (QmpEvent)QmpMessageParser.Parse(line), DateTimeOffset.UtcNow, VmEventFlags.None) { RunState = runState };
    }
}

/// <summary>One latency measurement in microseconds.</summary>
/// <param name="Condition">What ran alongside.</param>
/// <param name="Samples">Line writes measured.</param>
/// <param name="P50">Median.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
/// <param name="Max">Worst.</param>
/// <param name="Dropped">Events the indicator subscription dropped.</param>
public sealed record LatencyRow(string Condition, int Samples, double P50, double P99, double P999, double Max, long Dropped);

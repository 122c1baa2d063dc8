using Appliance.Bench;
using Appliance.Bench.Harness;
using Appliance.Bench.Scenarios;

namespace Appliance.Integration.Bench;

/// <summary>Runs every benchmark scenario at tiny sizes so the harness never rots. Checks counts and sanity, never timings.</summary>
[Collection("bench-smoke")]
public sealed class BenchHarnessSmokeTests
{
    private static readonly BenchSettings Smoke = BenchSettings.Smoke;

    // One smoke-sized throughput run serves every throughput test: each asserts a different part of its report.
    private static readonly Lazy<Task<ThroughputReport>> SmokeThroughput =
        new(() => ThroughputScenario.RunAsync(Smoke.ThroughputEvents, Smoke.PeerEvents, CancellationToken.None));

    [Fact]
    public async Task Throughput_run_journals_and_delivers_every_event_with_none_lost()
    {
        var report = await SmokeThroughput.Value;

        Assert.Equal(Smoke.ThroughputEvents, report.Appliance.JournalRows);
        Assert.Equal(Smoke.ThroughputEvents, report.Appliance.MqttReceived);
        Assert.Equal(0, report.Appliance.Lost);
        Assert.True(report.Appliance.EventsPerSecond > 0);
    }

    [Fact]
    public async Task Throughput_run_measures_the_journal_alone_with_the_broker_unreachable()
    {
        var report = await SmokeThroughput.Value;

        Assert.True(report.JournalOnly.Sent > Smoke.ThroughputEvents, "the journal-only run streams more events than the shared size");
        Assert.Equal(report.JournalOnly.Sent, report.JournalOnly.Delivered);
        Assert.Contains(ThroughputScenario.ToTable(report).Rows, r => r[0].StartsWith("appliance, broker unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Throughput_peers_report_what_reached_their_subscriber()
    {
        var report = await SmokeThroughput.Value;

        Assert.InRange(report.ShellBridge.Delivered, 1, Smoke.PeerEvents);
        Assert.InRange(report.MosquittoCeiling.Delivered, 1, Smoke.PeerEvents);
        Assert.Equal(report.SqliteCeiling.Sent, report.SqliteCeiling.Delivered);
        Assert.Contains(ThroughputScenario.ToTable(report).Rows, r => r[0].StartsWith("shell bridge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_latency_run_delivers_every_driven_event_to_both_subscribers()
    {
        var rows = await EventLatencyScenario.RunAsync([10, 100], Smoke.EventLatencyEvents, Smoke.EventLatencyMinimum, CancellationToken.None);

        var ordinary = rows.Where(r => r.Kind == "ordinary").ToList();
        Assert.Equal([("appliance", 10), ("appliance", 100), ("shell bridge", 10), ("shell bridge", 100)], ordinary.Select(r => (r.Pipeline, r.Rate)));
        Assert.All(ordinary, r =>
        {
            Assert.True(r.Sent >= Smoke.EventLatencyEvents, $"driver sent too few: {r}");
            Assert.Equal(r.Sent, r.Count);
            Assert.True(r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max, $"percentiles out of order: {r}");
        });
        Assert.Equal(rows.Count, EventLatencyScenario.ToTable(rows).Rows.Count);
    }

    [Fact]
    public async Task Latency_run_measures_every_condition_without_drops()
    {
        var rows = await LatencyScenario.RunAsync(Smoke.LatencySamples, CancellationToken.None);

        Assert.Equal(["0 bg events/s", "1,000 bg events/s", "10,000 bg events/s", "broker down, full host"], rows.Select(r => r.Condition));
        Assert.All(rows, r =>
        {
            Assert.Equal(Smoke.LatencySamples, r.Samples);
            Assert.Equal(0, r.Dropped);
            Assert.True(r.P50 > 0 && r.P50 <= r.P99 && r.P99 <= r.P999 && r.P999 <= r.Max, $"percentiles out of order: {r}");
        });
    }

    [Fact]
    public async Task Journal_query_returns_the_watchdog_rows_of_vm_x_and_appends_write_bytes()
    {
        var report = await JournalScenario.RunAsync(Smoke.JournalRowCounts, Smoke.BytesPerEventEvents, CancellationToken.None);

        // Every 100th row is a WATCHDOG and every 3rd row belongs to x: one in 300 matches.
        Assert.Equal(Math.Min(100, Smoke.JournalRowCounts[0] / 300), Assert.Single(report.Queries).Returned);
        Assert.All(report.Appends, a =>
        {
            Assert.True(a.Batches >= Smoke.BytesPerEventEvents / a.BatchMax, $"{a.Batches} batches for batch max {a.BatchMax}");
            Assert.True(a.BytesPerEvent > 0, "no bytes were written");
        });
    }

    [Fact]
    public async Task Drain_after_a_broker_outage_delivers_every_event_in_order_per_vm()
    {
        var (rate, outage) = DrainScenario.SettingsFor("smoke");

        var report = await DrainScenario.RunAsync(rate, outage, CancellationToken.None);

        Assert.True(report.Backlog > 0, "no backlog built up while the broker was down");
        Assert.Equal(report.Sent, report.Journaled);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.OutOfOrder);
    }

    [Fact]
    public void Drain_outage_option_sets_the_outage_of_the_drain_scenario()
    {
        var line = BenchCommandLine.Parse(["--quick", "--scenario", "drain", "--drain-outage", "45"]);

        Assert.Equal("drain", line.Scenario);
        Assert.Equal(TimeSpan.FromSeconds(45), line.DrainOutage);
    }

    [Fact]
    public void A_drain_outage_that_is_not_a_positive_number_of_seconds_is_refused_naming_the_option()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchCommandLine.Parse(["--drain-outage", "ten"]));

        Assert.Contains("--drain-outage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emulator_scale_starts_every_idle_vm_and_streams_every_load_event()
    {
        var report = await EmulatorScaleScenario.RunAsync(Smoke.IdleVms, Smoke.LoadEvents, CancellationToken.None);

        Assert.Equal(Smoke.IdleVms, report.Vms);
        Assert.Equal(Smoke.LoadEvents, report.LoadReceived);
        Assert.True(report.HeapKibPerVm > 0);
    }

    [Fact]
    public async Task Startup_run_reaches_ready_and_attaches_all_64_vms_with_the_jit_build()
    {
        var report = await StartupScenario.RunAsync(Smoke.StartupRepetitions, CancellationToken.None);

        var jit = Assert.Single(report.Builds, b => b.Build.StartsWith("JIT", StringComparison.Ordinal));
        Assert.Equal(64, jit.Attached);
        Assert.True(jit.IdleRssKib > 0 && jit.Rss64Kib > 0 && jit.SizeBytes > 0);
        Assert.True(jit.StopBrokerMs > 0 && jit.StopNoBrokerMs > 0); // each stop ended with exit 0, or RunAsync threw
    }

    [Fact]
    public void Report_table_writes_a_section_with_machine_and_command()
    {
        using var dir = new Appliance.TestSupport.Files.TempDirectory();
        var table = new ResultTable("Example", "a", "b");
        table.Add("1", "2");
        new MarkdownReport(dir.File("benchmarks.md"), "scripts/bench.sh --quick").Append(table, "quick");

        string text = File.ReadAllText(dir.File("benchmarks.md"));
        Assert.Contains("### Example (quick, ", text, StringComparison.Ordinal);
        Assert.Contains("Command: `scripts/bench.sh --quick`", text, StringComparison.Ordinal);
        Assert.Contains("Machine: " + Environment.ProcessorCount + " cores", text, StringComparison.Ordinal);
        Assert.Contains("| 1 | 2 |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_replaces_the_current_table_in_place_and_keeps_every_run_in_the_history()
    {
        using var dir = new Appliance.TestSupport.Files.TempDirectory();
        string page = dir.File("benchmarks.md");
        File.WriteAllText(page, "# Benchmarks\n\nintro\n");
        var report = new MarkdownReport(page, "scripts/bench.sh --quick");
        foreach (var value in new[] { "first", "second" })
        {
            var table = new ResultTable("Example", "a");
            table.Add(value);
            report.Append(table, "quick");
        }
        var other = new ResultTable("Other", "a");
        other.Add("x");
        report.Append(other, "quick");

        string text = File.ReadAllText(page);
        Assert.StartsWith("# Benchmarks\n\nintro\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("| first |", text, StringComparison.Ordinal);
        Assert.Single(text.Split("### Example (").Skip(1));
        Assert.True(text.IndexOf("| second |", StringComparison.Ordinal) < text.IndexOf("| x |", StringComparison.Ordinal));
        string history = File.ReadAllText(report.HistoryPath);
        Assert.True(history.IndexOf("| first |", StringComparison.Ordinal) < history.IndexOf("| second |", StringComparison.Ordinal));
    }
}

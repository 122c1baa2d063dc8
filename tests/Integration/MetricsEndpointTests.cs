using System.Diagnostics;
using System.Globalization;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary><c>/metrics</c> of the real host (composed as <c>appliance run</c> composes it) with an emulated VM and a
/// real broker: Prometheus' own checker accepts it, and the values follow what happens.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_pass_promtool_and_follow_a_vm_stop()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        int port = FreePort.Next();
        await using var appliance = await ApplianceUnderTest.StartAsync(broker.Port, new Dictionary<string, string?>
        {
            ["Emulator:Vms:0:Name"] = "vm1",
            ["Metrics:Listen"] = $"127.0.0.1:{port}",
        });
        var board = appliance.Get<VmStatusBoard>();
        await Eventually.TrueAsync(() => board.Get("vm1") is { Monitor: MonitorState.Running, RunStatus: "running" }, "vm1 monitor running and VM running");
        var indicators = appliance.Get<IndicatorService>().Indicators;
        await Eventually.TrueAsync(() => indicators.Get("status")?.Pattern == IndicatorPattern.On, "status LED on while running");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        string before = await ScrapeAsync(http);
        await PromtoolCheckAsync(before);
        Assert.Equal(1, Value(before, "appliance_vm_run_state{vm=\"vm1\",state=\"running\"}"));
        Assert.Equal(0, Value(before, "appliance_vm_run_state{vm=\"vm1\",state=\"paused\"}"));
        Assert.Equal(1, Value(before, "appliance_vm_monitor_state{vm=\"vm1\",state=\"running\"}"));
        Assert.Equal(1, Value(before, "appliance_vm_monitor_connects_total{vm=\"vm1\"}"));
        Assert.NotEqual(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, appliance.Get<Appliance.Host.Health.HealthMonitor>().Current.Status);
        Assert.Equal(1, Value(before, "appliance_health_status{status=\"healthy\"}"));
        Assert.Equal(1, Value(before, "appliance_indicator_state{indicator=\"status\",kind=\"led\",state=\"on\"}"));

        var reply = await appliance.Get<IVmCommandGateway>().ExecuteAsync("vm1", "stop", default, CancellationToken.None);
        Assert.IsType<QmpReturn>(reply);
        string after = await ScrapeAsync(http);
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !Stopped(after, before) && DateTime.UtcNow < deadline; after = await ScrapeAsync(http))
        {
            await Task.Delay(100);
        }
        Assert.True(Stopped(after, before), $"paused state, one STOP event, a further commit and delivery and a blinking status LED in /metrics:\n{after}");
        await PromtoolCheckAsync(after);
        Assert.Equal(0, Value(after, "appliance_vm_run_state{vm=\"vm1\",state=\"running\"}"));
        Assert.Equal(1, Value(after, "appliance_mqtt_connected"));
        AssertCommitHistogram(after);
        Assert.Equal(0, Value(after, "appliance_mqtt_skipped_backlog_total"));
        Assert.True(Value(after, "appliance_mqtt_backlog_age_seconds") >= 0);
    }

    /// <summary>Buckets rise with their bound, +Inf holds every commit, and the STOP's commit is among them.</summary>
    private static void AssertCommitHistogram(string exposition)
    {
        var buckets = exposition.Split('\n').Where(l => l.StartsWith("appliance_journal_commit_seconds_bucket{", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).ToList();
        Assert.True(buckets.Count > 5, "several buckets");
        Assert.Equal(buckets.Order(), buckets);
        double count = Value(exposition, "appliance_journal_commit_seconds_count");
        Assert.Equal(count, Value(exposition, "appliance_journal_commit_seconds_bucket{le=\"+Inf\"}"));
        Assert.True(count >= 1 && Value(exposition, "appliance_journal_commit_seconds_sum") > 0, "the commits are counted and timed");
    }

    private static bool Stopped(string after, string before) =>
        Value(after, "appliance_vm_run_state{vm=\"vm1\",state=\"paused\"}") == 1
        && after.Contains("appliance_vm_events_total{vm=\"vm1\",event=\"STOP\"} 1\n", StringComparison.Ordinal)
        && Value(after, "appliance_mqtt_delivered_total") > Value(before, "appliance_mqtt_delivered_total")
        // The STOP is counted and shown before its commit (synced) returns; a delivery can be of an earlier row.
        && Value(after, "appliance_journal_rows_total") > Value(before, "appliance_journal_rows_total")
        && Value(after, "appliance_indicator_state{indicator=\"status\",kind=\"led\",state=\"blink\"}") == 1;

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the sample named exactly <paramref name="series"/>; fails when it is absent.</summary>
    private static double Value(string exposition, string series)
    {
        foreach (string line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal)) return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
        }
        throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{exposition}");
    }

    /// <summary>Runs <c>promtool check metrics</c> (Debian package prometheus) on the text; fails with its complaints.</summary>
    private static async Task PromtoolCheckAsync(string exposition)
    {
        string promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("promtool not found: apt-get install prometheus (scripts/ensure-deps.sh test)");
        var info = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        string complaints = (await stdout + await stderr).Trim();
        Assert.True(process.ExitCode == 0 && complaints.Length == 0, $"promtool check metrics: exit {process.ExitCode}: {complaints}");
    }
}

using System.Text.Json;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Health;
using Appliance.Host.Status;
using Appliance.Host.Systemd;
using Appliance.Integration.Support;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Systemd;
using Appliance.TestSupport.Waiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Appliance.Integration;

/// <summary>The host as <c>appliance run</c> composes it, with systemd played by a datagram socket: the watchdog and the
/// heartbeat stop only when the appliance is Unhealthy, and Degraded says why.</summary>
public sealed class HostHealthTests
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Outside_systemd_the_heartbeat_line_toggles()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await ApplianceUnderTest.StartAsync(broker.Port, new Dictionary<string, string?>
        {
            ["Indicators:Heartbeat:Pin"] = "HEARTBEAT",
            ["Indicators:Heartbeat:Interval"] = "00:00:00.05",
        });
        var gpio = app.Get<SimulatedGpioChips>();

        // HEARTBEAT is line 4 of the sim board.
        await Eventually.TrueAsync(() => gpio.Transitions.Count(t => t.Pin.Line == 4) >= 6, "six heartbeat toggles without NOTIFY_SOCKET");
        Assert.Equal(HealthStatus.Healthy, (await app.Get<HealthMonitor>().EvaluateAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task An_unreachable_broker_keeps_the_watchdog_fed_and_health_degraded_with_the_reason()
    {
        using var dir = new TempDirectory();
        using var notify = new NotifySocket(dir.File("notify"));
        int nobody = FreePort.Next();
        await using var app = await ApplianceUnderTest.StartAsync(nobody, notifier: new SdNotifier(notify.Path, Watchdog));

        Assert.True(await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30)), "no READY=1");
        await Eventually.TrueAsync(() => StatusLines(notify).Any(s => s.Contains("Degraded", StringComparison.Ordinal)), "STATUS= saying Degraded");
        int pings = Pings(notify);
        await Eventually.TrueAsync(() => Pings(notify) >= pings + 3, "three more WATCHDOG=1 while Degraded");

        var mqtt = Check(app, "mqtt");
        Assert.Equal("Degraded", mqtt.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{nobody} not connected", mqtt.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(StatusLines(notify), s => s.Contains($"mqtt: MQTT broker 127.0.0.1:{nobody} not connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broker_that_fails_tls_keeps_the_watchdog_fed_and_health_degraded_with_the_reason()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        var certificates = TestCertificates.Create(Directory.CreateDirectory(dir.File("certs")).FullName);
        using var notify = new NotifySocket(dir.File("notify"));
        // TLS towards the broker's plain listener: every handshake fails.
        await using var app = await ApplianceUnderTest.StartAsync(broker.Port,
            new Dictionary<string, string?> { ["Mqtt:Broker:Tls:CaFile"] = certificates.CaFile },
            notifier: new SdNotifier(notify.Path, Watchdog));

        Assert.True(await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(30)), "no READY=1");
        await Eventually.TrueAsync(() => Check(app, "mqtt").GetProperty("status").GetString() == "Degraded", "mqtt Degraded");
        int pings = Pings(notify);
        await Eventually.TrueAsync(() => Pings(notify) >= pings + 3, "three more WATCHDOG=1 while Degraded");

        Assert.Equal("Degraded", Health(app).GetProperty("status").GetString());
        Assert.Contains("not connected", Check(app, "mqtt").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stuck_journal_writer_stops_the_watchdog_and_is_unhealthy()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        using var notify = new NotifySocket(dir.File("notify"));
        await using var app = await ApplianceUnderTest.StartAsync(broker.Port, notifier: new SdNotifier(notify.Path, Watchdog));
        Assert.True(await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(30)), "no WATCHDOG=1 while healthy");

        using (app.Get<JournalWriter>().Hold())
        {
            await app.Get<EventHub>().PublishAsync(StopEvent());
            await Eventually.TrueAsync(() => Health(app).GetProperty("status").GetString() == "Unhealthy", "health Unhealthy",
                JournalWriterHealthCheck.DefaultStuckAfter + TimeSpan.FromSeconds(20));
            // Pings are counted from the notifier's own first Unhealthy report on: the status document can say Unhealthy
            // a moment before the notify loop's next round, which may still ping on the evaluation before.
            await Eventually.TrueAsync(() => UnhealthyLines(notify) >= 1, "a STATUS= line saying Unhealthy");
            int pings = Pings(notify);
            int reported = UnhealthyLines(notify);
            await Eventually.TrueAsync(() => UnhealthyLines(notify) >= reported + 3, "three more STATUS= lines saying Unhealthy");

            Assert.Equal(pings, Pings(notify));
            Assert.Contains("journal writer stuck", Check(app, "journal").GetProperty("reason").GetString(), StringComparison.Ordinal);
        }
    }

    private static VmEvent StopEvent() => new("vm-test",
        (QmpEvent)QmpMessageParser.Parse("""{"timestamp": {"seconds": 1700000001, "microseconds": 2}, "event": "STOP"}"""u8.ToArray()),
        DateTimeOffset.UtcNow, VmEventFlags.None);

    private static int UnhealthyLines(NotifySocket notify) => StatusLines(notify).Count(s => s.StartsWith("Unhealthy", StringComparison.Ordinal));

    private static int Pings(NotifySocket notify) => notify.Received.Count(m => m.Split('\n').Contains("WATCHDOG=1"));

    private static List<string> StatusLines(NotifySocket notify) =>
        [.. notify.Received.SelectMany(m => m.Split('\n')).Where(l => l.StartsWith("STATUS=", StringComparison.Ordinal)).Select(l => l["STATUS=".Length..])];

    private static JsonElement Health(ApplianceUnderTest app)
    {
        using var doc = JsonDocument.Parse(app.Get<StatusDocument>().Build());
        return doc.RootElement.GetProperty("health").Clone();
    }

    private static JsonElement Check(ApplianceUnderTest app, string name) =>
        Health(app).GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}

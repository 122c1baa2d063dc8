using Appliance.Bridge.Journal;
using System.Diagnostics;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Pipeline;
using Appliance.Integration.Support;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>A clean stop runs its sequence and is done: it never waits for the shutdown timeout (set to 30 s here, so a
/// stop that waits for it shows at once), commits what was queued, and leaves every line in its safe state. The stop's
/// speed itself is a benchmark figure (startup scenario), not asserted here.</summary>
public sealed class CleanStopTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stop_with_a_broker_connected_commits_the_queue_without_waiting_for_the_shutdown_timeout()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var app = await StartAsync(broker.Port);
        await Eventually.TrueAsync(() => app.Get<MqttMirror>().IsConnected, "the mirror connected");

        var stop = await PublishThenStopAsync(app, 2_000);

        Assert.True(stop < ShutdownTimeout / 3, $"the stop took {stop.TotalSeconds:0.0} s: it waited for something to time out");
        await AssertCommittedAndSafeAsync(app, 2_000);
    }

    [Fact]
    public async Task A_stop_with_no_broker_commits_the_queue_without_waiting_for_the_shutdown_timeout()
    {
        await using var app = await StartAsync(FreePort.Next());

        var stop = await PublishThenStopAsync(app, 2_000);

        Assert.True(stop < ShutdownTimeout / 3, $"the stop took {stop.TotalSeconds:0.0} s: it waited for something to time out");
        await AssertCommittedAndSafeAsync(app, 2_000);
    }

    private static Task<ApplianceUnderTest> StartAsync(int port) => ApplianceUnderTest.StartAsync(port, new Dictionary<string, string?>
    {
        ["ShutdownTimeout"] = ShutdownTimeout.ToString(),
        ["Indicators:Heartbeat:Pin"] = "HEARTBEAT",
    });

    // Events published just before the stop are still queued when it begins.
    private static async Task<TimeSpan> PublishThenStopAsync(ApplianceUnderTest app, int events)
    {
        var hub = app.Get<EventHub>();
        var stop = (QmpEvent)QmpMessageParser.Parse("""{"timestamp": {"seconds": 1700000001, "microseconds": 2}, "event": "STOP"}"""u8.ToArray());
        for (int i = 0; i < events; i++) await hub.PublishAsync(new VmEvent("vm-stop", stop, DateTimeOffset.UtcNow, VmEventFlags.None));
        long start = Stopwatch.GetTimestamp();
        await app.StopAsync();
        return Stopwatch.GetElapsedTime(start);
    }

    private static async Task AssertCommittedAndSafeAsync(ApplianceUnderTest app, int events)
    {
        // Read by sqlite3, an independent reader of the file the stopped host left.
        string rows = await Sqlite3.QueryAsync(app.Directory.File("state/journal.db"), "SELECT count(*) FROM events WHERE vm = 'vm-stop'");
        var writer = app.Get<JournalWriter>().Counters;
        Assert.True(rows == events.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"sqlite3 counted {rows} of {events} rows; the writer committed {writer.Rows} rows in {writer.Batches} batches, {app.Get<JournalWriter>().Queued} still queued");
        var gpio = app.Get<SimulatedGpioChips>();
        // STATUS, ALARM, RELAY and HEARTBEAT (lines 0, 1, 2, 4 of the sim board): written inactive last, then released.
        Assert.All(new uint[] { 0, 1, 2, 4 }, line =>
        {
            var pin = new GpioPin("gpiochip0", line);
            Assert.False(gpio.TransitionsOf(pin)[^1].Active);
            Assert.Null(gpio.LevelOf(pin));
        });
    }
}

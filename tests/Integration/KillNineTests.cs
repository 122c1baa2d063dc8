using System.Globalization;
using System.Text.Json;
using Appliance.Integration.Support;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>kill -9 of the appliance in the middle of a flood: nothing committed is lost, the database passes
/// integrity_check, the restarted appliance continues the sequence after a gap marker, and MQTT delivers every
/// committed event at least once.</summary>
public sealed class KillNineTests
{
    private const long LoadStep = 4096;

    [Fact]
    public async Task Appliance_killed_during_a_flood_keeps_every_committed_event_and_resumes()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "crash/box/vm/vm/event/BALLOON_CHANGE");
        using var dir = new TempDirectory();
        string socket = dir.File("vm.qmp"), journal = dir.File("journal.db");
        await using var vm = ApplianceProcess.Start(["emu", "--name", "vm", "--qmp", "unix:" + socket]);
        var env = new Dictionary<string, string>
        {
            ["APPLIANCE__NODE"] = "box",
            ["APPLIANCE__STATEDIRECTORY"] = dir.File("state"),
            ["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File("run"),
            ["APPLIANCE__MQTT__TOPICPREFIX"] = "crash",
            ["APPLIANCE__MQTT__ALLOWEDCOMMANDS__0"] = "x-load",
        };
        string[] run = ["run", "--dashboard", "off", "--vm", "vm=unix:" + socket, "--journal", journal, "--mqtt", $"127.0.0.1:{broker.Port}"];
        await Eventually.TrueAsync(() => File.Exists(socket), "the emulated VM's QMP socket", TimeSpan.FromSeconds(60));

        long committedBeforeKill;
        await using (var first = ApplianceProcess.Start(run, env))
        {
            await Eventually.TrueAsync(() => Sqlite3.CountAsync(journal, "event = 'APPLIANCE_GAP'").Result > 0, "first gap marker", TimeSpan.FromSeconds(60));
            // The appliance's own monitor asks for the flood (through the MQTT command path), so the events come to it.
            await PublishAsync(broker.Port, "crash/box/vm/vm/cmd", """{"execute": "x-load", "arguments": {"count": 3000000}}""");
            await Eventually.TrueAsync(() => Sqlite3.CountAsync(journal, "event = 'BALLOON_CHANGE'").Result >= 20_000, "20,000 flood events committed", TimeSpan.FromSeconds(90));
            await first.SignalAsync("KILL");
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            committedBeforeKill = long.Parse(await Sqlite3.QueryAsync(journal, "SELECT max(seq) FROM events"), CultureInfo.InvariantCulture);
        }

        Assert.Equal("ok", await Sqlite3.QueryAsync(journal, "PRAGMA integrity_check"));
        AssertContiguousFlood(await Sqlite3.QueryAsync(journal, "SELECT json_extract(line, '$.data.actual') FROM events_json WHERE event = 'BALLOON_CHANGE' ORDER BY seq"));

        await using (var second = ApplianceProcess.Start(run, env))
        {
            await Eventually.TrueAsync(() => Sqlite3.CountAsync(journal, $"event = 'APPLIANCE_GAP' AND seq > {committedBeforeKill}").Result > 0,
                "a gap marker after the restart", TimeSpan.FromSeconds(60));
            var committed = (await Sqlite3.QueryAsync(journal, $"SELECT seq FROM events WHERE event = 'BALLOON_CHANGE' AND seq <= {committedBeforeKill}"))
                .Split('\n').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToHashSet();
            var delivered = new DeliveredSeqs(subscriber);
            await Eventually.TrueAsync(() => committed.IsSubsetOf(delivered.Update()), "every committed flood event delivered over MQTT", TimeSpan.FromSeconds(120));
            await second.SignalAsync("TERM");
            await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, second.ExitCode);
        }
        Assert.Equal("ok", await Sqlite3.QueryAsync(journal, "PRAGMA integrity_check"));
    }

    /// <summary>The load generator counts down in steps of 4096 and wraps every 65,536 events: consecutive journal
    /// rows must be consecutive events, so nothing was skipped or stored twice.</summary>
    private static void AssertContiguousFlood(string actuals)
    {
        long[] values = [.. actuals.Split('\n').Select(s => long.Parse(s, CultureInfo.InvariantCulture))];
        Assert.True(values.Length >= 20_000);
        for (int i = 1; i < values.Length; i++)
        {
            long prev = ((1L << 30) - values[i - 1]) / LoadStep, next = ((1L << 30) - values[i]) / LoadStep;
            Assert.True((prev + 1) % 65536 == next, $"row {i}: event {next} follows event {prev}");
        }
    }

    /// <summary>The <c>seq</c> of every event message received so far, parsing each message once.</summary>
    private sealed class DeliveredSeqs(MosquittoSubscriber subscriber)
    {
        private readonly HashSet<long> _seqs = [];
        private int _parsed;

        public HashSet<long> Update()
        {
            var messages = subscriber.Messages;
            for (; _parsed < messages.Count; _parsed++)
            {
                if (!messages[_parsed].Topic.EndsWith("/event/BALLOON_CHANGE", StringComparison.Ordinal)) continue;
                using var doc = JsonDocument.Parse(messages[_parsed].Payload);
                _seqs.Add(doc.RootElement.GetProperty("seq").GetInt64());
            }
            return _seqs;
        }
    }

    private static async Task PublishAsync(int port, string topic, string payload)
    {
        using var pub = System.Diagnostics.Process.Start(MosquittoBroker.Executable("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-m", payload]);
        await pub.WaitForExitAsync();
    }
}

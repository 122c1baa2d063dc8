using System.Globalization;
using System.Text.Json;
using Appliance.Integration.Support;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration.Arm64;

/// <summary>The linux-arm64 NativeAOT binary, as it ships to a board, run here under qemu-user with the arm64
/// libsqlite3 from multiarch: its version, its emulator, and a short run against a real broker.</summary>
public sealed class QemuUserTests
{
    private const string QemuUser = ApplianceProcess.QemuUser;

    [Arm64Fact(QemuUser)]
    public async Task Arm64_binary_prints_its_version()
    {
        var assets = await Arm64Assets.GetAsync("binary");

        await using var version = ApplianceProcess.StartArm64(assets.Binary, ["--version"]);
        await version.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Output.Trim());
    }

    [Arm64Fact(QemuUser)]
    public async Task Arm64_emulator_answers_qmp()
    {
        var assets = await Arm64Assets.GetAsync("binary");
        using var dir = new TempDirectory();
        string socket = dir.File("vm1.qmp");

        await using var emu = ApplianceProcess.StartArm64(assets.Binary, ["emu", "--name", "vm1", "--qmp", "unix:" + socket]);
        await Eventually.TrueAsync(() => File.Exists(socket), "the arm64 emulator's QMP socket", TimeSpan.FromSeconds(60));
        await using var qmp = await QmpSession.ConnectAsync(socket);

        Assert.Equal("7.2.22", qmp.Version);
        Assert.Equal("running", (await qmp.ExecuteAsync("query-status")).GetProperty("status").GetString());
        await qmp.ExecuteAsync("stop");
        Assert.Equal("paused", (await qmp.ExecuteAsync("query-status")).GetProperty("status").GetString());
    }

    [Arm64Fact(QemuUser)]
    public async Task Arm64_appliance_journals_events_and_mirrors_them_to_mqtt()
    {
        var assets = await Arm64Assets.GetAsync("binary");
        await using var broker = await MosquittoBroker.StartAsync();
        await using var subscriber = await MosquittoSubscriber.StartAsync(broker.Port, "arm64/box1/#");
        using var dir = new TempDirectory();
        string socket = dir.File("vm1.qmp"), journal = dir.File("journal.db");
        await using var emu = ApplianceProcess.StartArm64(assets.Binary, ["emu", "--name", "vm1", "--qmp", "unix:" + socket]);
        await Eventually.TrueAsync(() => File.Exists(socket), "the arm64 emulator's QMP socket", TimeSpan.FromSeconds(60));
        var env = new Dictionary<string, string>
        {
            ["APPLIANCE__NODE"] = "box1",
            ["APPLIANCE__STATEDIRECTORY"] = dir.File("state"),
            ["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File("run"),
            ["APPLIANCE__MQTT__TOPICPREFIX"] = "arm64",
        };

        await using var run = ApplianceProcess.StartArm64(assets.Binary,
            ["run", "--dashboard", "off", "--vm", "vm1=unix:" + socket, "--journal", journal, "--mqtt", $"127.0.0.1:{broker.Port}"], env);
        await Eventually.TrueAsync(() => Sqlite3.CountAsync(journal, "event = 'APPLIANCE_GAP'").Result > 0, "the arm64 appliance's first journal row", TimeSpan.FromSeconds(90));
        await using (var qmp = await QmpSession.ConnectAsync(socket))
        {
            await qmp.ExecuteAsync("stop");
            await qmp.ExecuteAsync("cont");
        }
        await Eventually.TrueAsync(() => Sqlite3.CountAsync(journal, "vm = 'vm1' AND event IN ('STOP', 'RESUME')").Result == 2, "STOP and RESUME journaled", TimeSpan.FromSeconds(60));

        foreach (string name in (string[])["STOP", "RESUME"])
        {
            long seq = long.Parse(await Sqlite3.QueryAsync(journal, $"SELECT seq FROM events WHERE event = '{name}'"), CultureInfo.InvariantCulture);
            var message = await subscriber.WaitForAsync(m => m.Topic == $"arm64/box1/vm/vm1/event/{name}", TimeSpan.FromSeconds(60));
            using var payload = JsonDocument.Parse(message.Payload);
            Assert.Equal(seq, payload.RootElement.GetProperty("seq").GetInt64());
            Assert.Equal("vm1", payload.RootElement.GetProperty("vm").GetString());
        }
        await run.SignalAsync("TERM");
        await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}:\n{run.Output}");
        Assert.Equal("ok", await Sqlite3.QueryAsync(journal, "PRAGMA integrity_check"));
    }
}

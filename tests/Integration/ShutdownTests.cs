using System.Diagnostics;
using System.Globalization;
using Appliance.Host.Control;
using Appliance.Integration.Support;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Systemd;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>The appliance as systemd runs it: READY=1 once up, STOPPING=1 and exit 0 on SIGTERM, journal intact.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_stops_cleanly_with_exit_0_after_ready_and_stopping_notifications()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var dir = new TempDirectory();
        using var notify = new NotifySocket(dir.File("notify"));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { ApplianceProcess.Dll, "run", "--dashboard", "off", "--mqtt", $"127.0.0.1:{broker.Port}" }) start.ArgumentList.Add(a);
        start.Environment["APPLIANCE__STATEDIRECTORY"] = dir.File("state");
        start.Environment["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File("run");
        start.Environment["NOTIFY_SOCKET"] = notify.Path;
        start.Environment["WATCHDOG_USEC"] = "2000000";
        start.Environment.Remove("WATCHDOG_PID");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            Assert.True(await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(60)), "no READY=1 within 60 s");
            Assert.True(await notify.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(30)), "no WATCHDOG=1 within 30 s");
            await Eventually.TrueAsync(() => MonitorRunning(dir.File("run/appliance.sock")), "the emulated VM's monitor running");

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.Contains(notify.Received, m => m.Split('\n').Contains("STOPPING=1"));
        Assert.Equal("ok", await Sqlite3Async(dir.File("state/journal.db"), "PRAGMA integrity_check"));
        Assert.NotEqual("0", await Sqlite3Async(dir.File("state/journal.db"), "SELECT count(*) FROM events"));
    }

    private static bool MonitorRunning(string socket)
    {
        try
        {
            byte[] reply = ControlClient.SendAsync(socket, ControlProtocol.Request("status"), CancellationToken.None).GetAwaiter().GetResult();
            using var doc = System.Text.Json.JsonDocument.Parse(reply);
            return doc.RootElement.GetProperty("vms").EnumerateArray().Any(v => v.GetProperty("monitor").GetString() == "running");
        }
        catch (ControlUnavailableException)
        {
            return false;
        }
    }

    private static async Task<string> Sqlite3Async(string db, string sql)
    {
        using var p = Process.Start(new ProcessStartInfo("sqlite3", [db, sql]) { RedirectStandardOutput = true })!;
        string output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output.Trim();
    }
}

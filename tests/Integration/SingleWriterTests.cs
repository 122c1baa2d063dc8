using Appliance.Integration.Support;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>A second appliance started by mistake (by hand beside the service, or twice by a script) must not share the
/// first one's journal or control socket: it exits with an error naming what is in use, and the first keeps both.</summary>
public sealed class SingleWriterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_second_appliance_on_the_same_journal_exits_naming_it()
    {
        using var dir = new TempDirectory();
        string journal = dir.File("journal.db");
        await using var first = await StartServingAsync(dir, journal, "run-1");

        await using var second = ApplianceProcess.Start(Run(journal), Environment(dir, "run-2"));
        await second.WaitForExitAsync(Patience);

        Assert.Equal(1, second.ExitCode);
        await Eventually.TrueAsync(() => second.Output.Contains("Only one appliance may write a journal", StringComparison.Ordinal),
            "the refusal in the second appliance's output", Patience);
        Assert.Contains($"Journal '{journal}'", second.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.File("run-2"), "appliance.sock")), "the refused appliance left a control socket");
        Assert.Equal(0, await StatusExitCodeAsync(dir, "run-1"));
    }

    [Fact]
    public async Task A_second_appliance_on_the_same_control_socket_exits_and_leaves_the_first_ones_socket()
    {
        using var dir = new TempDirectory();
        await using var first = await StartServingAsync(dir, dir.File("journal-1.db"), "run");

        // With a VM of its own to monitor: without one it would start the demo VM, whose QMP socket in the same
        // runtime directory is refused first (the emulator's own check).
        string[] run = [.. Run(dir.File("journal-2.db")), "--vm", "vm=unix:" + dir.File("no-such-vm.qmp")];
        await using var second = ApplianceProcess.Start(run, Environment(dir, "run"));
        await second.WaitForExitAsync(Patience);

        Assert.Equal(1, second.ExitCode);
        await Eventually.TrueAsync(() => second.Output.Contains("Control socket: another process is listening on", StringComparison.Ordinal),
            "the refusal in the second appliance's output", Patience);
        Assert.False(first.HasExited);
        Assert.Equal(0, await StatusExitCodeAsync(dir, "run"));
    }

    [Fact]
    public async Task An_appliance_starts_on_the_journal_and_socket_a_killed_one_left()
    {
        using var dir = new TempDirectory();
        string journal = dir.File("journal.db");
        await using (var killed = await StartServingAsync(dir, journal, "run"))
        {
            await killed.SignalAsync("KILL");
            await killed.WaitForExitAsync(Patience);
        }
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "appliance.sock")), "kill -9 left the control socket behind");

        await using var next = await StartServingAsync(dir, journal, "run");

        Assert.Equal(0, await StatusExitCodeAsync(dir, "run"));
    }

    private static async Task<ApplianceProcess> StartServingAsync(TempDirectory dir, string journal, string runtime)
    {
        var appliance = ApplianceProcess.Start(Run(journal), Environment(dir, runtime));
        try
        {
            await Eventually.TrueAsync(() => appliance.HasExited || StatusExitCodeAsync(dir, runtime).Result == 0, "the appliance answering status", Patience);
            Assert.False(appliance.HasExited, appliance.Output);
            return appliance;
        }
        catch
        {
            await appliance.DisposeAsync();
            throw;
        }
    }

    private static async Task<int> StatusExitCodeAsync(TempDirectory dir, string runtime)
    {
        await using var status = ApplianceProcess.Start(["status"], Environment(dir, runtime));
        await status.WaitForExitAsync(Patience);
        return status.ExitCode;
    }

    // No VM and an MQTT port nobody listens on: the journal and the control socket are what is under test.
    private static string[] Run(string journal) =>
        ["run", "--dashboard", "off", "--journal", journal, "--mqtt", $"127.0.0.1:{FreePort.Next()}"];

    private static Dictionary<string, string> Environment(TempDirectory dir, string runtime) => new()
    {
        ["APPLIANCE__NODE"] = "box",
        ["APPLIANCE__STATEDIRECTORY"] = dir.File("state"),
        ["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File(runtime),
    };
}

using System.Text.Json;
using Appliance.TestSupport.Files;

namespace Appliance.Tests.Cli;

public sealed class CliTests
{
    [Fact]
    public async Task Version_prints_the_product_version()
    {
        var r = await CliProcess.RunAsync("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", r.Stdout.Trim());
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error_on_stderr()
    {
        var r = await CliProcess.RunAsync("status", "--bogus");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--bogus", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public async Task Config_check_prints_the_effective_configuration_of_a_valid_file()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a.json");
        File.WriteAllText(file, """{ "Node": "box7", "StateDirectory": "/var/tmp/box7", "Mqtt": { "Broker": { "Host": "broker.lan", "Password": "hunter2" } } }""");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var effective = doc.RootElement.GetProperty("effective");
        Assert.Equal("box7", effective.GetProperty("Node").GetString());
        Assert.Equal("/var/tmp/box7/journal.db", effective.GetProperty("Journal").GetString());
        Assert.StartsWith("broker.lan:1883", effective.GetProperty("Mqtt").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_of_a_broken_file_exits_2_with_one_line_naming_the_file()
    {
        using var dir = new TempDirectory();
        string file = dir.File("broken.json");
        File.WriteAllText(file, "{ \"Node\": ");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(file, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_of_an_invalid_value_names_the_key_and_value()
    {
        using var dir = new TempDirectory();
        string file = dir.File("invalid.json");
        File.WriteAllText(file, """{ "Mqtt": { "Broker": { "Port": 99999 } } }""");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Port", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("99999", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_without_a_running_appliance_exits_3()
    {
        using var dir = new TempDirectory();
        var r = await CliProcess.RunAsync("status", "--socket", dir.File("none.sock"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("none.sock", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbs_work_for_a_user_without_a_passwd_entry()
    {
        // setpriv to a uid no passwd entry names, as minimal root filesystems and containers run: needs root (this
        // machine's tests run as root) and util-linux's setpriv.
        Assert.True(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2] == "0",
            "this test switches to a uid without a passwd entry: run the tests as root");
        var start = new System.Diagnostics.ProcessStartInfo("setpriv", ["--reuid=54321", "--regid=54321", "--clear-groups", "dotnet", CliProcess.ApplianceDll, "status"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string v in new[] { "RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR", "APPLIANCE__RUNTIMEDIRECTORY", "NOTIFY_SOCKET" }) start.Environment.Remove(v);
        start.Environment["HOME"] = Path.GetTempPath();
        using var process = System.Diagnostics.Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(3, process.ExitCode); // nothing running: unavailable, not a crash
        Assert.Contains("appliance-54321", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_a_malformed_vm_option_exits_2()
    {
        var r = await CliProcess.RunAsync("run", "--vm", "no-equals-sign");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--vm", r.Stderr, StringComparison.Ordinal);
    }
}

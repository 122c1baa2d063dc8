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
        File.WriteAllText(file, """{ "Node": "box7", "StateDirectory": "/var/tmp/box7", "Mqtt": { "Broker": { "Host": "broker.lan" } } }""");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var effective = doc.RootElement.GetProperty("effective");
        Assert.Equal("box7", effective.GetProperty("Node").GetString());
        Assert.Equal("/var/tmp/box7/journal.db", effective.GetProperty("Journal").GetString());
        Assert.StartsWith("broker.lan:1883", effective.GetProperty("Mqtt").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_shows_given_lists_as_arrays_and_booleans_as_booleans()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a.json");
        File.WriteAllText(file, """{ "StateDirectory": "/var/tmp/box7", "CriticalEvents": [ "RESET", "STOP" ], "Mqtt": { "HomeAssistantDiscovery": true, "MaxInFlight": 10 } }""");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var given = doc.RootElement.GetProperty("given");
        Assert.Equal(["RESET", "STOP"], given.GetProperty("CriticalEvents").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.True, given.GetProperty("Mqtt").GetProperty("HomeAssistantDiscovery").ValueKind);
        Assert.Equal(10, given.GetProperty("Mqtt").GetProperty("MaxInFlight").GetInt32());
    }

    [Fact]
    public async Task Config_check_of_the_shipped_example_passes()
    {
        var r = await CliProcess.RunAsync("config", "check", RepoPaths.File("config/appliance.example.json"));
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public async Task Config_check_reports_every_problem_one_line_each_and_exits_2()
    {
        using var dir = new TempDirectory();
        string file = dir.File("bad.json");
        File.WriteAllText(file, """{ "Indicators": { "Board": "rpi4" }, "Mqtt": { "Broker": { "Hots": "x" } }, "Journal": { "BatchMaxEvents": "lots" } }""");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(2, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("appliance: configuration: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_with_an_invalid_environment_variable_exits_2_naming_key_and_variable()
    {
        using var dir = new TempDirectory();
        var r = await CliProcess.RunAsync(["run", "--dashboard", "off"], new Dictionary<string, string?>
        {
            ["APPLIANCE__JOURNAL__BATCHMAXEVENTS"] = "ten",
            ["APPLIANCE__STATEDIRECTORY"] = dir.File("state"),
            ["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File("run"),
        });
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Journal:BatchMaxEvents = 'ten'", line, StringComparison.Ordinal);
        Assert.Contains("APPLIANCE__JOURNAL__BATCHMAXEVENTS", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Format_", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_an_unknown_board_exits_2_before_starting()
    {
        using var dir = new TempDirectory();
        var r = await CliProcess.RunAsync(["run", "--dashboard", "off", "--board", "rpi4"], new Dictionary<string, string?>
        {
            ["APPLIANCE__STATEDIRECTORY"] = dir.File("state"),
            ["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File("run"),
        });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Indicators:Board = 'rpi4'", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("state")), "nothing starts: not even the state directory is created");
    }

    [Fact]
    public async Task Config_check_shows_the_command_allowlist_and_reply_filter_in_effect()
    {
        using var dir = new TempDirectory();
        string file = dir.File("a.json");
        File.WriteAllText(file, """{ "Node": "box7", "StateDirectory": "/var/tmp/box7", "Mqtt": { "AllowedCommands": ["query-status"] } }""");
        var r = await CliProcess.RunAsync("config", "check", file);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var effective = doc.RootElement.GetProperty("effective");
        Assert.Equal(["query-status"], effective.GetProperty("MqttAllowedCommands").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("appliance/box7/reply/#", effective.GetProperty("MqttReplyTopics").GetString());
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

    [Fact]
    public async Task Run_with_a_malformed_metrics_address_exits_2_naming_the_key()
    {
        using var dir = new TempDirectory();
        var r = await CliProcess.RunAsync(["run", "--metrics", "localhost:9464", "--dashboard", "off"], new Dictionary<string, string?>
        {
            ["APPLIANCE__STATEDIRECTORY"] = dir.File("state"),
            ["APPLIANCE__RUNTIMEDIRECTORY"] = dir.File("run"),
        });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Metrics:Listen 'localhost:9464'", r.Stderr, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using Appliance.TestSupport.Files;

namespace Appliance.Integration;

/// <summary>The documented NativeAOT publish command produces a binary that runs, and that binary (trimmed, with
/// .NET's resource strings left out) still checks a configuration in its own words.</summary>
public sealed class AotPublishTests
{
    // One publish (minutes) serves every test: each asserts a different behaviour of its binary.
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    private static async Task<string> PublishAsync()
    {
        // Under the build output, replaced by each run (not a temp folder left behind at every run).
        string output = Path.Combine(RepoPaths.Root, "out", "test", "aot");
        var publish = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { "scripts/publish-aot.sh", "linux-x64", output }) publish.ArgumentList.Add(a);
        using var p = Process.Start(publish)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"publish failed ({p.ExitCode}):\n{await stdout}\n{await stderr}");
        Assert.DoesNotContain("warning IL", await stdout, StringComparison.Ordinal);
        return Path.Combine(output, "appliance");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string binary, params string[] args)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        return (run.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Publish_script_produces_a_native_binary_that_prints_its_version()
    {
        string binary = await Published.Value;
        Assert.True(File.Exists(binary), $"no binary at {binary}");
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(binary)!, "appliance.dll")), "a NativeAOT publish has no IL assembly");
        var (exitCode, version, _) = await RunAsync(binary, "--version");
        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Trim());
    }

    [Fact]
    public async Task Native_binary_reports_configuration_mistakes_by_key_without_dotnet_resource_keys()
    {
        string binary = await Published.Value;
        using var dir = new TempDirectory();
        string file = dir.File("bad.json");
        File.WriteAllText(file, """
            { "Journal": { "BatchMaxEvents": "lots", "CheckpointWalBytes": "big", "RetentionInterval": "soon" },
              "Mqtt": { "Broker": { "Hots": "x" } }, "ShutdownTimeout": "4s",
              "Emulator": { "Vms": [ { "Name": "a", "WatchdogAction": "rest" } ] } }
            """);

        var (exitCode, _, stderr) = await RunAsync(binary, "config", "check", file);

        Assert.Equal(2, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.Contains(lines, l => l.Contains("Journal:BatchMaxEvents = 'lots'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Mqtt:Broker:Hots", StringComparison.Ordinal) && l.Contains("'Host'", StringComparison.Ordinal));
        Assert.DoesNotContain("Format_", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Arg_", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Native_binary_reports_a_json_syntax_error_in_its_own_words()
    {
        string binary = await Published.Value;
        using var dir = new TempDirectory();
        string file = dir.File("short.json");
        File.WriteAllText(file, "{ \"Node\": ");

        var (exitCode, _, stderr) = await RunAsync(binary, "config", "check", file);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ends before the JSON is complete", line, StringComparison.Ordinal);
        Assert.DoesNotContain("ZeroDepth", line, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using Appliance.TestSupport.Files;

namespace Appliance.Integration.Bench;

/// <summary>scripts/bench.sh itself, as the README gives it, on what a fresh clone has: no NativeAOT binary yet.
/// Tiny sizes (--smoke); checks that it runs to the end and says what it skipped, never timings.</summary>
[Collection("bench-smoke")]
public sealed class BenchScriptSmokeTests
{
    [Fact]
    public async Task Bench_script_without_a_native_aot_binary_runs_the_startup_scenario_and_says_what_it_skipped()
    {
        using var aot = new TempDirectory();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { "scripts/bench.sh", "--smoke", "--scenario", "startup" }) start.ArgumentList.Add(a);
        start.Environment["APPLIANCE_AOT_DIR"] = aot.Path;
        // The test build is Debug; building the harness in Release as well would double the suite's build time.
        start.Environment["BENCH_CONFIGURATION"] = "Debug";
        start.Environment.Remove("NOTIFY_SOCKET");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout, errors = await stderr;

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{errors}\n{output}");
        Assert.Contains($"no NativeAOT binary at {aot.Path}/appliance", errors, StringComparison.Ordinal);
        Assert.Contains("Start-up and footprint", output, StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("JIT (framework-dependent)", StringComparison.Ordinal));
        Assert.Contains("Skipped NativeAOT", output, StringComparison.Ordinal);
    }
}

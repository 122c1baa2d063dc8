using System.Diagnostics;
using Appliance.Integration.Support;
using Appliance.TestSupport.Files;

namespace Appliance.Integration;

/// <summary>The documented NativeAOT publish command produces a binary that runs.</summary>
public sealed class AotPublishTests
{
    [Fact]
    public async Task Publish_script_produces_a_native_binary_that_prints_its_version()
    {
        using var dir = new TempDirectory();
        string output = dir.File("aot");
        var publish = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { "scripts/publish-aot.sh", "linux-x64", output }) publish.ArgumentList.Add(a);
        using (var p = Process.Start(publish)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
            await p.WaitForExitAsync(timeout.Token);
            Assert.True(p.ExitCode == 0, $"publish failed ({p.ExitCode}):\n{await stdout}\n{await stderr}");
            Assert.DoesNotContain("warning IL", await stdout, StringComparison.Ordinal);
        }

        string binary = Path.Combine(output, "appliance");
        Assert.True(File.Exists(binary), $"no binary at {binary}");
        Assert.False(File.Exists(Path.Combine(output, "appliance.dll")), "a NativeAOT publish has no IL assembly");
        using var run = Process.Start(new ProcessStartInfo(binary, "--version") { RedirectStandardOutput = true })!;
        string version = (await run.StandardOutput.ReadToEndAsync()).Trim();
        await run.WaitForExitAsync();
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }
}

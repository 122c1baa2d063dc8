using Appliance.TestSupport.Files;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Tests.Systemd;

public sealed partial class UnitSecurityTests
{
    private static double ExposureOf(string unit)
    {
        var start = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "security", "--offline=true", "--no-pager", RepoPaths.File(unit) }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("systemd-analyze did not start (apt-get install systemd)");
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        var match = Exposure().Match(output);
        Assert.True(match.Success, $"no exposure level in systemd-analyze output:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("systemd/appliance.service")]
    [InlineData("systemd/appliance-emu@.service")]
    public void Unit_scores_two_or_lower_in_systemd_analyze_security(string unit)
    {
        Assert.InRange(ExposureOf(unit), 0.0, 2.0);
    }

    [Fact]
    public void Appliance_unit_is_a_notify_service_with_watchdog_and_state_directories()
    {
        string[] lines = File.ReadAllLines(RepoPaths.File("systemd/appliance.service"));
        foreach (var expected in new[] { "Type=notify", "Restart=on-failure", "StateDirectory=appliance", "ConfigurationDirectory=appliance", "RuntimeDirectory=appliance", "MemoryDenyWriteExecute=yes", "DevicePolicy=closed", "SystemCallFilter=@system-service" })
        {
            Assert.Contains(expected, lines);
        }
        Assert.Contains(lines, l => l.StartsWith("WatchdogSec=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("DeviceAllow=char-gpiochip", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"Overall exposure level for \S+: ([0-9.]+)")]
    private static partial Regex Exposure();
}

using Appliance.Bridge.Client;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Bridge.Tests.Client;

/// <summary>A monitor that sends garbage costs a bounded number of log lines, none with raw control bytes in them.</summary>
public sealed class PeerLoggerTests
{
    [Fact]
    public async Task A_flood_of_garbage_from_a_monitor_is_logged_a_limited_number_of_times_with_control_bytes_escaped()
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedQmpServer.ListenUnix(dir.File("vm1.qmp"));
        server.AutoReply = StandardReplies.Healthy();
        var log = new FakeLogger();
        // The service's default level: what an operator's log would hold.
        log.ControlLevel(LogLevel.Trace, enabled: false);
        log.ControlLevel(LogLevel.Debug, enabled: false);
        await using var harness = new SupervisorHarness(server.Endpoint, SupervisorHarness.QuickOptions(), logger: log);
        var connection = await server.AcceptNegotiatedAsync();
        await harness.Events.NextAsync(); // the gap marker

        for (int i = 0; i < 500; i++) await connection.SendBytesAsync([.. "{\"event\": \0\u0001 "u8, 0xFF, 0xFE, .. "\r\n"u8]);
        await connection.SendEventAsync("RESUME");
        Assert.Equal("RESUME", (await harness.Events.NextAsync()).Event.Name);

        // Every garbage line is counted (each stray byte is an error of its own, as in QEMU's lexer), however few are logged.
        Assert.InRange(harness.Supervisor.Counters.MalformedLines, 500, 500 * 4);
        var warnings = log.Collector.GetSnapshot().Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message).ToList();
        Assert.InRange(warnings.Count, 1, PeerLogger.LinesPerWindow);
        Assert.All(warnings, w => Assert.DoesNotContain(w, c => c < ' ' || c == '\ufffd'));
        Assert.True(warnings.Any(w => w.Contains("\\u0001", StringComparison.Ordinal)) && warnings.Any(w => w.Contains("\\ufffd", StringComparison.Ordinal)),
            "0x01 and 0xFF spelled out in the log (a NUL ends QEMU's token text, so it reads stray ''): " + string.Join(" | ", warnings.Take(8)));
    }

    [Fact]
    public void Escape_leaves_ordinary_text_alone_and_spells_out_control_characters()
    {
        Assert.Equal("plain text, ünïcode", PeerLogger.Escape("plain text, ünïcode"));
        Assert.Equal("a\\u0000b\\u001bc\\u007fd\\ufffd", PeerLogger.Escape("a\0b\u001bc\u007fd\ufffd"));
    }
}

using Appliance.Tests.Cli;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Mosquitto;
using Appliance.TestSupport.Waiting;

namespace Appliance.Tests.Dashboard;

/// <summary>The real appliance (an emulated VM running the demo scenario fast, a real mosquitto) with its dashboard
/// in a tmux terminal of 80x24 and then 200x50, and <c>appliance top</c> beside it: what a user actually sees.</summary>
public sealed class DashboardTerminalTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private MosquittoBroker? _broker;
    private TmuxSession? _run;

    private Dictionary<string, string> Environment => new()
    {
        ["APPLIANCE__STATEDIRECTORY"] = _dir.File("state"),
        ["APPLIANCE__RUNTIMEDIRECTORY"] = _dir.File("run"),
        ["DOTNET_NOLOGO"] = "1",
    };

    public async Task InitializeAsync()
    {
        Assert.True(TmuxSession.Available, "tmux is not installed: run scripts/ensure-deps.sh (apt-get install tmux)");
        _broker = await MosquittoBroker.StartAsync();
        string config = _dir.File("appliance.json");
        File.WriteAllText(config, $$"""
            { "Node": "tmux-box",
              "Emulator": { "Vms": [ { "Name": "demo", "Scenario": "{{RepoPaths.File("docs/scenarios/demo.json")}}", "ScenarioSpeed": 8 } ] },
              "Mqtt": { "Broker": { "Host": "127.0.0.1", "Port": {{_broker.Port}} } } }
            """);
        _run = TmuxSession.Start(80, 24, ["dotnet", CliProcess.ApplianceDll, "run", "--config", config, "--dashboard", "on"], Environment);
    }

    public async Task DisposeAsync()
    {
        _run?.SendKeys("C-c");
        await Eventually.TrueAsync(() => _run?.IsRunning != true, "the appliance stopped on Ctrl+C", TimeSpan.FromSeconds(20));
        _run?.Dispose();
        if (_broker is not null) await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private static int EventRows(string[] screen) =>
        screen.SkipWhile(l => !l.StartsWith("Recent events", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Count();

    private static async Task<string[]> ScreenAsync(TmuxSession session, Func<string[], bool> ready, string what)
    {
        string[] screen = [];
        await Eventually.TrueAsync(() => ready(screen = session.Capture()), what + ": " + string.Join("\n", screen), TimeSpan.FromSeconds(60));
        return screen;
    }

    private static void AssertFits(string[] screen, int width, int height)
    {
        Assert.True(screen.Length <= height, $"{screen.Length} lines on a {height}-line terminal");
        Assert.All(screen, l => Assert.True(l.Length < width, $"line cut to less than {width} columns: '{l}'"));
        Assert.StartsWith("Appliance ", screen[0], StringComparison.Ordinal);
        Assert.Contains(screen, l => l.StartsWith("VMs", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.TrimStart().StartsWith("demo ", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.StartsWith("Lamps", StringComparison.Ordinal) && l.Contains("status", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.StartsWith("MQTT", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.StartsWith("Journal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dashboard_fits_80x24_and_uses_the_room_of_200x50()
    {
        var small = await ScreenAsync(_run!, s => EventRows(s) >= 3 && s.Any(l => l.Contains("connected", StringComparison.Ordinal)), "three events at 80x24");
        AssertFits(small, 80, 24);
        Assert.Contains("Ctrl+C", small[0], StringComparison.Ordinal);
        Assert.DoesNotContain(small, l => l.Contains("Hosting environment", StringComparison.Ordinal) || l.Contains("Content root path", StringComparison.Ordinal));

        _run!.Resize(200, 50);
        var large = await ScreenAsync(_run, s => s.Length > 24 && EventRows(s) > EventRows(small), "a larger frame at 200x50");
        AssertFits(large, 200, 50);
        Assert.Contains(large, l => l.StartsWith("Log", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Top_fits_80x24_says_how_to_quit_and_quits_on_q()
    {
        await Eventually.TrueAsync(() => File.Exists(_dir.File("run/appliance.sock")), "the appliance's control socket", TimeSpan.FromSeconds(60));
        using var top = TmuxSession.Start(80, 24, ["dotnet", CliProcess.ApplianceDll, "top"], Environment);
        var screen = await ScreenAsync(top, s => s.Length > 0 && s[0].StartsWith("Appliance", StringComparison.Ordinal) && EventRows(s) >= 3, "top's first frames");
        AssertFits(screen, 80, 24);
        Assert.Contains("q or Ctrl+C quits", screen[0], StringComparison.Ordinal);

        top.SendKeys("q");
        await Eventually.TrueAsync(() => !top.IsRunning, "top ended on q", TimeSpan.FromSeconds(10));
    }
}

using Appliance.Emu.Guest;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Guest;

public sealed class ScenarioTests
{
    private static string ScenariosDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "docs", "scenarios"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("docs/scenarios not found above the test binaries"), "docs", "scenarios");
    }

    private static async Task<EmulatorTestBed> StartWithScenarioAsync(string json, Action<EmulatedVmOptions>? configure = null)
    {
        string file = Path.Combine(Path.GetTempPath(), "apl-scn-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        await File.WriteAllTextAsync(file, json);
        try
        {
            return await EmulatorTestBed.StartAsync(o =>
            {
                o.ScenarioPath = file;
                configure?.Invoke(o);
            });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Scenario_steps_run_on_the_machine_clock()
    {
        await using var bed = await StartWithScenarioAsync("""
            { "steps": [ { "delay": 1, "execute": "cont" }, { "delay": 2, "execute": "x-guest-panic" } ] }
            """);
        var client = await bed.ConnectAsync();

        bed.Advance(1);
        await client.ExpectEventsAsync("RESUME");
        bed.Advance(1.9);
        Assert.Empty(await client.DrainEventsAsync());
        bed.Advance(0.1);

        await client.ExpectEventsAsync("GUEST_PANICKED", "STOP");
    }

    [Fact]
    public async Task Scenario_speed_runs_steps_faster_than_the_clock()
    {
        await using var bed = await StartWithScenarioAsync("""{ "steps": [ { "delay": 10, "execute": "cont" } ] }""", o => o.ScenarioSpeed = 10);
        var client = await bed.ConnectAsync();

        bed.Advance(1);

        await client.ExpectEventsAsync("RESUME");
    }

    [Fact]
    public async Task A_looping_scenario_starts_again_after_its_last_step()
    {
        await using var bed = await StartWithScenarioAsync("""
            { "loop": true, "steps": [ { "delay": 1, "execute": "cont" }, { "delay": 1, "execute": "stop" } ] }
            """);
        var client = await bed.ConnectAsync();

        for (int second = 0; second < 4; second++) bed.Advance(1); // one step each: a step arms the next one's timer

        await client.ExpectEventsAsync("RESUME", "STOP", "RESUME", "STOP");
    }

    [Theory]
    [InlineData("""{ "steps": [ { "delay": 1, "execute": "warp-drive" } ] }""", "step 0: unknown command 'warp-drive'")]
    [InlineData("""{ "steps": [ { "delay": 1, "execute": "cont" }, { "delay": -1, "execute": "stop" } ] }""", "step 1: delay -1")]
    [InlineData("""{ "steps": [ { "delay": 1, "execute": "balloon", "arguments": { "value": "lots" } } ] }""", "step 0 (balloon): Invalid parameter type for 'value', expected: integer")]
    [InlineData("""{ "steps": [] }""", "has no steps")]
    [InlineData("""{ "loop": true, "steps": [ { "delay": 0, "execute": "stop" } ] }""", "delays add up to zero")]
    [InlineData("""{ "steps": [ { "delay": 1, "execute": "cont", "when": "now" } ] }""", "is not valid")]
    [InlineData("""not json""", "is not valid")]
    public void A_bad_scenario_is_refused_naming_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(System.Text.Encoding.UTF8.GetBytes(json), "test.json"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_scenario_file_fails_the_start()
    {
        var options = new EmulatedVmOptions { ScenarioPath = "/nonexistent/scenario.json" };
        await using var vm = new EmulatedVm(options);

        var e = await Assert.ThrowsAsync<ScenarioException>(() => vm.StartAsync(CancellationToken.None));

        Assert.Contains("/nonexistent/scenario.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_example_scenario_is_valid()
    {
        var files = Directory.GetFiles(ScenariosDirectory(), "*.json");

        Assert.Contains(files, f => f.EndsWith("demo.json", StringComparison.Ordinal));
        foreach (var file in files) ScenarioLoader.Parse(File.ReadAllBytes(file), file);
    }

    [Fact]
    public async Task The_demo_shows_run_state_changes_a_watchdog_expiry_a_disk_error_a_block_job_and_the_balloon()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.ScenarioPath = Path.Combine(ScenariosDirectory(), "demo.json"));
        var client = await bed.ConnectAsync();

        for (int i = 0; i < 700; i++) bed.Advance(0.1);
        var names = (await client.DrainEventsAsync()).Select(e => e.Name).ToHashSet();

        foreach (var expected in new[]
                 {
                     QmpEventNames.Resume, QmpEventNames.Stop, QmpEventNames.Watchdog, QmpEventNames.Reset, QmpEventNames.BlockIoError,
                     QmpEventNames.BlockJobCompleted, QmpEventNames.BalloonChange, QmpEventNames.RtcChange, QmpEventNames.VserportChange,
                     QmpEventNames.SpiceConnected, QmpEventNames.DeviceDeleted, QmpEventNames.NicRxFilterChanged,
                 })
        {
            Assert.Contains(expected, names);
        }
    }
}

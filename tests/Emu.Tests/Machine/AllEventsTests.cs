using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Machine;

public sealed class AllEventsTests
{
    [Fact]
    public async Task Every_documented_event_comes_from_machine_behaviour()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o =>
        {
            o.NoShutdown = true;
            o.VncEnabled = true;
        });
        var client = await bed.ConnectRunningAsync();
        var seen = new HashSet<string> { QmpEventNames.Resume };
        async Task Run(string command, string? arguments = null, double advance = 0)
        {
            await client.ReturnOfAsync(command, arguments);
            if (advance > 0) bed.Advance(advance);
            foreach (var e in await client.DrainEventsAsync())
            {
                Assert.True(QmpEventCatalog.TryParse(e, out _, out var error), error);
                seen.Add(e.Name);
            }
        }

        await Run("x-guest-set-rtc", "{\"offset\":60}");
        await Run("x-guest-serial-port", "{\"id\":\"channel0\",\"open\":true}");
        await Run("x-guest-rx-filter");
        await Run("balloon", "{\"value\":536870912}", advance: 1);
        await Run("x-guest-disk-error", "{\"device\":\"drive0\"}");
        await Run("cont");
        await Run("x-guest-image-corrupt", "{\"device\":\"drive2\",\"fatal\":false}");
        await Run("x-guest-quorum-child", "{\"child\":\"quorum0-child0\",\"failing\":true}");
        await Run("x-guest-quorum-child", "{\"child\":\"quorum0-child1\",\"failing\":true}");
        await Run("block-stream", "{\"job-id\":\"s\",\"device\":\"drive1\",\"speed\":1024}");
        await Run("block-job-cancel", "{\"device\":\"s\"}");
        await Run("drive-mirror", "{\"job-id\":\"m\",\"device\":\"drive1\",\"target\":\"/tmp/m\",\"sync\":\"full\"}", advance: 3);
        await Run("block-job-complete", "{\"device\":\"m\"}");
        await Run("x-guest-disk-fail", "{\"device\":\"drive2\",\"failing\":true}");
        await Run("block-stream", "{\"device\":\"drive2\"}", advance: 0.1);
        await Run("device_add", "{\"driver\":\"usb-kbd\",\"id\":\"kbd\"}");
        await Run("device_del", "{\"id\":\"kbd\"}", advance: 0.1);
        await Run("device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm\"}");
        await Run("device_del", "{\"id\":\"dimm\"}", advance: 1);
        await Run("eject", "{\"id\":\"cd0\"}");
        await Run("dump-guest-memory", $"{{\"paging\":false,\"protocol\":\"file:{bed.Directory.File("core")}\",\"detach\":true}}", advance: 1);
        await RfbTestClient.ConnectInitializeAndCloseAsync(bed.Vm.VncPort!.Value);
        await client.ExpectEventsAsync(QmpEventNames.VncConnected, QmpEventNames.VncInitialized, QmpEventNames.VncDisconnected);
        seen.UnionWith([QmpEventNames.VncConnected, QmpEventNames.VncInitialized, QmpEventNames.VncDisconnected]);
        await Run("x-spice-connect");
        await Run("migrate-set-capabilities", "{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}");
        await Run("migrate", "{\"uri\":\"exec:cat >/dev/null\"}", advance: 2);
        await Run("x-spice-disconnect");
        await Run("cont");
        await Run("x-guest-watchdog", "{\"timeout\":1}");
        await Run("x-guest-hang", advance: 1);
        await Run("x-guest-suspend");
        await Run("system_wakeup");
        await Run("x-guest-panic");
        await Run("cont");
        await Run("system_powerdown", advance: 1);
        await Run("system_reset");
        await Run("cont");
        await Run("x-guest-hibernate");

        Assert.Equal(QmpEventCatalog.Names, seen.Order(StringComparer.Ordinal));
    }
}

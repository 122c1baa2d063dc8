using System.Text;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bench.Journal;

/// <summary>Realistic QMP event lines (about 150 bytes each), parsed once so the benchmarks measure the journal, not the parser.</summary>
internal static class BenchEvents
{
    public static readonly string[] Vms = ["vm0", "vm1", "vm2", "vm3", "vm4", "vm5", "vm6", "vm7"];
    public static readonly string[] Names = ["STOP", "RESUME", "RESET", "BLOCK_JOB_READY", "DEVICE_TRAY_MOVED", "RTC_CHANGE", "MIGRATION_PASS", "WATCHDOG"];

    /// <summary><paramref name="count"/> events spread round-robin over the first <paramref name="vms"/> VMs and <paramref name="names"/> event names.</summary>
    public static VmEvent[] Create(int count, int vms = 8, int names = 8, bool critical = false)
    {
        var events = new VmEvent[count];
        var received = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++) events[i] = One(i, Vms[i % vms], critical ? "WATCHDOG" : Names[i / vms % names], received.AddTicks(i * 10), critical);
        return events;
    }

    private static VmEvent One(int i, string vm, string name, DateTimeOffset received, bool critical)
    {
        string line = $$$"""{"timestamp": {"seconds": {{{1763700000 + i / 1000}}}, "microseconds": {{{i % 1000 * 1000}}}}, "event": "{{{name}}}", "data": {"device": "drive-virtio-disk{{{i % 4}}}", "path": "/machine/peripheral/disk{{{i % 4}}}", "n": {{{i}}}}}""";
        var qmp = (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line));
        return new VmEvent(vm, qmp, received, critical ? VmEventFlags.Critical : VmEventFlags.None);
    }
}

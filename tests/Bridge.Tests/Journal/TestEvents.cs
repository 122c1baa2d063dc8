using System.Text;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>Builds <see cref="VmEvent"/>s from QMP lines, as the client would.</summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static VmEvent Line(string line, string vm = "vm1", DateTimeOffset? received = null, VmEventFlags flags = VmEventFlags.None) =>
        new(vm, (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line)), received ?? Start, flags);

    public static VmEvent Named(string name, string vm = "vm1", DateTimeOffset? received = null, int n = 0) =>
        Line($$$"""{"event": "{{{name}}}", "data": {"n": {{{n}}}}, "timestamp": {"seconds": 1767225600, "microseconds": {{{n % 1_000_000}}}}}""",
            vm, received);

    /// <summary><paramref name="count"/> events named <paramref name="name"/>, numbered 0 up in their data and timestamps.</summary>
    public static IEnumerable<VmEvent> Series(string name, int count) => Enumerable.Range(0, count).Select(i => Named(name, n: i));

    public static VmEvent Critical(string vm = "vm1") =>
        Line("""{"event": "WATCHDOG", "data": {"action": "reset"}, "timestamp": {"seconds": 1767225600, "microseconds": 1}}""",
            vm, flags: VmEventFlags.Critical);
}

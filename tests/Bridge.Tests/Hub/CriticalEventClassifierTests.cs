using System.Text;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Hub;

/// <summary>The one criticality policy: the built-in set, BLOCK_IO_ERROR only when it stops the VM, configured extras,
/// and the names a journal reader asks for.</summary>
public sealed class CriticalEventClassifierTests
{
    private static QmpEvent Event(string name, string data) =>
        (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes($$$"""{"event": "{{{name}}}", "data": {{{data}}}, "timestamp": {"seconds": 1, "microseconds": 0}}"""));

    [Theory]
    [InlineData("WATCHDOG", """{"action": "reset"}""", true)]
    [InlineData("BLOCK_IO_ERROR", """{"device": "d", "operation": "write", "action": "stop"}""", true)]
    [InlineData("BLOCK_IO_ERROR", """{"device": "d", "operation": "write", "action": "report"}""", false)]
    [InlineData("RESET", """{"guest": true}""", false)]
    public void Built_in_policy_decides_by_name_and_block_io_error_action(string name, string data, bool critical) =>
        Assert.Equal(critical, new CriticalEventClassifier().IsCritical(Event(name, data)));

    [Fact]
    public void Block_io_error_without_its_documented_members_is_not_critical() =>
        Assert.False(new CriticalEventClassifier().IsCritical(Event("BLOCK_IO_ERROR", """{"action": "stop"}""")));

    [Fact]
    public void Configured_name_is_critical_whatever_its_data() =>
        Assert.True(new CriticalEventClassifier(["RESET"]).IsCritical(Event("RESET", """{"guest": true}""")));

    [Fact]
    public void Event_names_hold_the_built_in_set_the_configured_extras_and_block_io_error_once()
    {
        var names = new CriticalEventClassifier(["RESET", "WATCHDOG"]).EventNames;

        Assert.Equal(["BLOCK_IMAGE_CORRUPTED", "BLOCK_IO_ERROR", "GUEST_PANICKED", "QUORUM_FAILURE", "RESET", "WATCHDOG"], names);
    }
}

using Appliance.Bridge.Mqtt;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttTopicsTests
{
    private readonly MqttTopics _topics = new("appliance", "box1");

    [Fact]
    public void Wildcards_and_separators_in_names_become_underscores_in_topics()
    {
        Assert.Equal("appliance/box1/vm/a_b_c/event/X_Y", _topics.Event("a/b+c", "X#Y"));
    }

    [Theory]
    [InlineData("appliance/box1/vm/vm1/cmd", "vm1")]
    [InlineData("appliance/box1/vm/vm1/cmd/reply", null)]
    [InlineData("appliance/other/vm/vm1/cmd", null)]
    [InlineData("appliance/box1/vm//cmd", null)]
    public void The_vm_is_read_from_a_command_topic_only(string topic, string? vm)
    {
        Assert.Equal(vm, _topics.VmOfCommandTopic(topic));
    }
}

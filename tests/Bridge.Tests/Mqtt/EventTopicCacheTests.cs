using Appliance.Bridge.Mqtt;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class EventTopicCacheTests
{
    private readonly EventTopicCache _cache = new(new MqttTopics("appliance", "box1"));

    [Fact]
    public void A_cached_topic_is_the_same_as_the_layout_builds_it()
    {
        _cache.For("vm1", "STOP");

        Assert.Equal("appliance/box1/vm/vm1/event/STOP", _cache.For("vm1", "STOP"));
        Assert.Equal("appliance/box1/vm/vm_2/event/A_B", _cache.For("vm/2", "A+B"));
    }

    [Fact]
    public void The_cache_still_answers_correctly_after_growing_past_its_bound()
    {
        for (int i = 0; i <= EventTopicCache.MaxEntries; i++) _cache.For("vm1", "E" + i);

        Assert.Equal("appliance/box1/vm/vm1/event/E0", _cache.For("vm1", "E0"));
    }
}

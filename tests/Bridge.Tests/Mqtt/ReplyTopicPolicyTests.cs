using Appliance.Bridge.Mqtt.Commands;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class ReplyTopicPolicyTests
{
    private readonly ReplyTopicPolicy _policy = new("appliance/box1/reply/#");

    [Theory]
    [InlineData("appliance/box1/reply/dashboard")]
    [InlineData("appliance/box1/reply/ha/button-1")]
    public void Topics_under_the_filter_may_receive_replies(string topic) => Assert.Null(_policy.Refusal(topic));

    [Theory]
    [InlineData("appliance/box1/vm/vm1/event/WATCHDOG", "the reply topic 'appliance/box1/vm/vm1/event/WATCHDOG' is not under appliance/box1/reply/#")]
    [InlineData("appliance/box1/reply", "the reply topic 'appliance/box1/reply' is not under appliance/box1/reply/#")]
    [InlineData("appliance/box1/replyx/a", "the reply topic 'appliance/box1/replyx/a' is not under appliance/box1/reply/#")]
    [InlineData("me/#", "the reply topic 'me/#' contains a wildcard")]
    [InlineData("appliance/box1/reply/+", "the reply topic 'appliance/box1/reply/+' contains a wildcard")]
    [InlineData("", "the reply topic is empty")]
    public void Other_topics_are_refused_with_the_reason(string topic, string reason) => Assert.Equal(reason, _policy.Refusal(topic));

    [Theory]
    [InlineData("a/reply/#", true)]
    [InlineData("a/+/reply/#", false)]
    [InlineData("a/reply", false)]
    [InlineData("#", false)]
    [InlineData("$SYS/x/#", false)]
    public void A_filter_must_end_in_a_multi_level_wildcard_and_hold_no_other(string filter, bool valid) =>
        Assert.Equal(valid, ReplyTopicPolicy.IsValidFilter(filter));
}

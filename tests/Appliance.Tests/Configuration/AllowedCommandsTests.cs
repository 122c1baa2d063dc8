using System.Text;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Appliance.Tests.Configuration;

/// <summary>Mqtt:AllowedCommands is the allowlist exactly as configured, bound the way <c>appliance run</c> binds it.</summary>
public sealed class AllowedCommandsTests
{
    private static EffectiveOptions LoadJson(string mqttSection) =>
        EffectiveOptions.Load(new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("{\"StateDirectory\": \"/tmp/apl-allow-test\", \"Mqtt\": {" + mqttSection + "}}")))
            .Build());

    [Fact]
    public void Without_a_list_the_defaults_are_in_effect()
    {
        using var options = LoadJson("");
        Assert.Equal(MqttMirrorOptions.DefaultAllowedCommands, options.Mqtt.EffectiveAllowedCommands);
    }

    [Fact]
    public void A_configured_list_replaces_the_defaults()
    {
        using var options = LoadJson("""  "AllowedCommands": ["query-status"]  """);
        Assert.Equal(["query-status"], options.Mqtt.EffectiveAllowedCommands);
    }

    [Fact]
    public void An_empty_list_disables_commands()
    {
        using var options = LoadJson("""  "AllowedCommands": []  """);
        Assert.Empty(options.Mqtt.EffectiveAllowedCommands);
    }

    [Fact]
    public void A_pattern_is_refused_since_names_match_exactly()
    {
        var e = Assert.Throws<OptionsValidationException>(() => LoadJson("""  "AllowedCommands": ["x-*"]  """));
        Assert.Contains(e.Failures, f => f.Contains("AllowedCommands", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reply_filter_without_a_trailing_multi_level_wildcard_is_refused()
    {
        var e = Assert.Throws<OptionsValidationException>(() => LoadJson("""  "ReplyTopicFilter": "replies/+"  """));
        Assert.Contains(e.Failures, f => f.Contains("ReplyTopicFilter 'replies/+'", StringComparison.Ordinal));
    }
}

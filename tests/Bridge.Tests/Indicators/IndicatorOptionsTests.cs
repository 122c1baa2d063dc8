using Appliance.Bridge.Indicators;

namespace Appliance.Bridge.Tests.Indicators;

public sealed class IndicatorOptionsTests
{
    private static string ErrorOf(Action<IndicatorOptions> change)
    {
        var options = IndicatorOptions.CreateDefault();
        change(options);
        return Assert.Throws<IndicatorConfigurationException>(options.Validate).Message;
    }

    [Fact]
    public void Default_options_are_valid()
    {
        IndicatorOptions.CreateDefault().Validate();
    }

    [Fact]
    public void Rule_for_an_unknown_indicator_names_key_value_and_the_configured_ones()
    {
        var message = ErrorOf(o => o.Rules[0].Indicator = "lamp");

        Assert.Equal("Indicators:Rules:0:Indicator = 'lamp' is not valid; allowed: one of the configured indicators (status, alarm, alarm-relay)", message);
    }

    [Fact]
    public void Duplicate_indicator_name_is_rejected()
    {
        var message = ErrorOf(o => o.Indicators[1].Name = "status");

        Assert.Contains("Indicators:Indicators:1:Name = 'status'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blink_duty_outside_zero_to_one_is_rejected()
    {
        var message = ErrorOf(o => o.Rules[2].Duty = 1.5);

        Assert.Contains("Indicators:Rules:2:Duty = '1.5'", message, StringComparison.Ordinal);
        Assert.Contains("less than 1", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fast_blinking_relay_is_rejected()
    {
        var message = ErrorOf(o =>
        {
            o.Rules[4].Action = IndicatorAction.Blink;
            o.Rules[4].Period = TimeSpan.FromMilliseconds(100);
        });

        Assert.Contains("relay 'alarm-relay'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rule_with_two_triggers_is_rejected()
    {
        var message = ErrorOf(o => o.Rules[3].Events = ["RESET"]);

        Assert.Contains("exactly one of Events, Critical=true, RunStates", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_rule_without_latch_needs_a_duration()
    {
        var message = ErrorOf(o => o.Rules[3].Latch = false);

        Assert.Contains("Indicators:Rules:3:Duration", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latched_pulse_is_rejected()
    {
        var message = ErrorOf(o =>
        {
            o.Rules[4].Action = IndicatorAction.Pulse;
        });

        Assert.Contains("Indicators:Rules:4:Latch", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Heartbeat_interval_out_of_range_is_rejected()
    {
        var message = ErrorOf(o => o.Heartbeat = new HeartbeatOptions { Pin = "HEARTBEAT", Interval = TimeSpan.FromMilliseconds(1) });

        Assert.Contains("Indicators:Heartbeat:Interval", message, StringComparison.Ordinal);
    }
}

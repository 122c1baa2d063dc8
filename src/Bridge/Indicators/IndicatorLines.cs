using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>Turns configured pin names into line settings, and refuses two users of one line.</summary>
internal static class IndicatorLines
{
    /// <summary>Owner names used for the optional lines.</summary>
    public const string ButtonOwner = "acknowledge-button", HeartbeatOwner = "heartbeat";

    /// <summary>Every configured line (indicators, button, heartbeat), numbered for a <see cref="System.Device.Gpio.GpioController"/>;
    /// each is found by its owner name.</summary>
    /// <exception cref="IndicatorConfigurationException">Unknown pin, or two owners on one line.</exception>
    public static GpioLineMap Resolve(IndicatorOptions options, BoardProfile board)
    {
        var result = new List<GpioLineSettings>();
        var owners = new Dictionary<GpioPin, string>();
        void Add(string key, string pinName, Func<GpioPin, GpioLineSettings> make)
        {
            GpioPin pin;
            try
            {
                pin = board.Resolve(pinName);
            }
            catch (IndicatorConfigurationException e)
            {
                throw new IndicatorConfigurationException($"{key}: {e.Message}", e);
            }
            var settings = make(pin);
            if (owners.TryGetValue(pin, out var other))
            {
                throw new IndicatorConfigurationException($"{key}: '{settings.Owner}' and '{other}' are both on pin '{pinName}' ({pin}); each line drives one thing");
            }
            owners[pin] = settings.Owner;
            result.Add(settings);
        }

        for (int i = 0; i < options.Indicators.Count; i++)
        {
            var d = options.Indicators[i];
            Add($"Indicators:Indicators:{i}:Pin", d.Pin, pin => new GpioLineSettings(pin, d.Name, d.ActiveLow, d.Drive, d.Bias));
        }
        if (options.AcknowledgeButton is { } b)
        {
            Add("Indicators:AcknowledgeButton:Pin", b.Pin, pin => new GpioLineSettings(pin, ButtonOwner, b.ActiveLow, GpioDrive.PushPull, b.Bias, b.Debounce));
        }
        if (options.Heartbeat is { } h)
        {
            Add("Indicators:Heartbeat:Pin", h.Pin, pin => new GpioLineSettings(pin, HeartbeatOwner, h.ActiveLow, h.Drive));
        }
        return new GpioLineMap(result);
    }
}

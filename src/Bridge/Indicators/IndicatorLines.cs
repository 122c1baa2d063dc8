using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>Turns configured pin names into line settings, and refuses two users of one line.</summary>
internal static class IndicatorLines
{
    /// <summary>Owner names used for the optional lines.</summary>
    public const string ButtonOwner = "acknowledge-button", HeartbeatOwner = "heartbeat";

    /// <summary>Line settings of every configured line (indicators, button, heartbeat) by owner name.</summary>
    /// <exception cref="IndicatorConfigurationException">Unknown pin, or two owners on one line.</exception>
    public static Dictionary<string, GpioLineSettings> Resolve(IndicatorOptions options, BoardProfile board)
    {
        var result = new Dictionary<string, GpioLineSettings>(StringComparer.Ordinal);
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
            result[settings.Owner] = settings;
        }

        for (int i = 0; i < options.Indicators.Count; i++)
        {
            var d = options.Indicators[i];
            Add($"Indicators:Indicators:{i}:Pin", d.Pin, pin => new GpioLineSettings(pin, d.Name, d.ActiveLow, d.Drive, d.Bias));
        }
        if (options.AcknowledgeButton is { } b)
        {
            Add("Indicators:AcknowledgeButton:Pin", b.Pin, pin => new GpioLineSettings(pin, ButtonOwner, b.ActiveLow, GpioDrive.PushPull, b.Bias));
        }
        if (options.Heartbeat is { } h)
        {
            Add("Indicators:Heartbeat:Pin", h.Pin, pin => new GpioLineSettings(pin, HeartbeatOwner, h.ActiveLow, h.Drive));
        }
        return result;
    }
}

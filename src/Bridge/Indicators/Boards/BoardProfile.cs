using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators.Boards;

/// <summary>A board profile (boards/*.json): friendly pin names (SoC and header names) mapped to chip and line.</summary>
public sealed class BoardProfile
{
    private Dictionary<string, GpioPin>? _byName;

    /// <summary>Short name, for example <c>rpi4b</c>; what the configuration's <c>Board</c> key names.</summary>
    public string Name { get; set; } = "";

    /// <summary>What board this is.</summary>
    public string Description { get; set; } = "";

    /// <summary>Where the mapping comes from.</summary>
    public string Source { get; set; } = "";

    /// <summary>Caveats (kernel differences, shared pins).</summary>
    public string Notes { get; set; } = "";

    /// <summary>Which GPIO driver runs the board (see <see cref="GpioDrivers"/>): <c>chardev</c> (the default when
    /// empty), <c>libgpiod</c> or <c>sim</c>.</summary>
    public string Driver { get; set; } = "";

    /// <summary>The pins.</summary>
    public List<BoardPin> Pins { get; set; } = [];

    /// <summary>Resolves a pin name of this board (case-insensitive), or a raw <c>chip:line</c> such as <c>gpiochip0:17</c>.</summary>
    /// <exception cref="IndicatorConfigurationException">Unknown pin name.</exception>
    public GpioPin Resolve(string pinName)
    {
        ArgumentNullException.ThrowIfNull(pinName);
        if (ByName().TryGetValue(pinName, out var pin)) return pin;
        int colon = pinName.LastIndexOf(':');
        if (colon > 0 && uint.TryParse(pinName.AsSpan(colon + 1), out uint line)) return new GpioPin(pinName[..colon], line);
        var examples = string.Join(", ", Pins.Take(6).Select(p => p.Names.FirstOrDefault()));
        throw new IndicatorConfigurationException(
            $"pin '{pinName}' is not on board '{Name}': use one of its pin names (for example {examples}) or chip:line such as gpiochip0:17");
    }

    /// <summary>Checks the profile: a name, and every pin with names, a chip and no name used twice.</summary>
    /// <param name="origin">Where the profile came from, for the message.</param>
    public void Validate(string origin)
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new IndicatorConfigurationException($"board profile {origin}: 'name' is empty");
        if (Driver.Length > 0 && !GpioDrivers.Names.Contains(Driver, StringComparer.Ordinal))
        {
            throw new IndicatorConfigurationException($"board profile {origin}: {GpioDrivers.UnknownDriver(Name, Driver)}");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pin in Pins)
        {
            if (pin.Names.Count == 0 || string.IsNullOrWhiteSpace(pin.Chip))
            {
                throw new IndicatorConfigurationException($"board profile {origin}: a pin for line {pin.Line} needs 'names' and 'chip'");
            }
            foreach (var name in pin.Names)
            {
                if (!seen.Add(name)) throw new IndicatorConfigurationException($"board profile {origin}: pin name '{name}' is used twice");
            }
        }
    }

    private Dictionary<string, GpioPin> ByName() => _byName ??= Pins
        .SelectMany(p => p.Names.Select(n => (n, Pin: new GpioPin(p.Chip, p.Line))))
        .ToDictionary(x => x.n, x => x.Pin, StringComparer.OrdinalIgnoreCase);
}

/// <summary>One pin of a board profile.</summary>
public sealed class BoardPin
{
    /// <summary>Every name it goes by: SoC name (<c>GPIO17</c>), header position (<c>P1-11</c>).</summary>
    public List<string> Names { get; set; } = [];

    /// <summary>Chip device name (<c>gpiochip0</c>) or chip label (<c>pinctrl-rp1</c>).</summary>
    public string Chip { get; set; } = "";

    /// <summary>Line offset on the chip.</summary>
    public uint Line { get; set; }
}

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>The lines a <see cref="System.Device.Gpio.GpioController"/> may use, numbered: pin number N of the
/// controller is the N-th line here. The project's drivers are constructed with it, so each line keeps its chip,
/// active-low, drive, bias and debounce.</summary>
public sealed class GpioLineMap
{
    private readonly GpioLineSettings[] _lines;
    private readonly Dictionary<string, int> _byOwner = new(StringComparer.Ordinal);

    /// <summary>Numbers <paramref name="lines"/> in order, from 0.</summary>
    /// <exception cref="ArgumentException">Two lines have the same owner.</exception>
    public GpioLineMap(IEnumerable<GpioLineSettings> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        _lines = [.. lines];
        for (int i = 0; i < _lines.Length; i++)
        {
            if (!_byOwner.TryAdd(_lines[i].Owner, i)) throw new ArgumentException($"two lines for '{_lines[i].Owner}'", nameof(lines));
        }
    }

    /// <summary>How many lines.</summary>
    public int Count => _lines.Length;

    /// <summary>Every line, in pin-number order.</summary>
    public IReadOnlyList<GpioLineSettings> Lines => _lines;

    /// <summary>The line of pin number <paramref name="number"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such pin number.</exception>
    public GpioLineSettings this[int number] => number >= 0 && number < _lines.Length ? _lines[number]
        : throw new ArgumentOutOfRangeException(nameof(number), number, $"pin number {number} is not mapped: this map has {_lines.Length} lines (0..{_lines.Length - 1})");

    /// <summary>The pin number of <paramref name="owner"/>'s line.</summary>
    /// <exception cref="KeyNotFoundException">No line for that owner.</exception>
    public int NumberOf(string owner) => _byOwner.TryGetValue(owner, out int number) ? number
        : throw new KeyNotFoundException($"no line for '{owner}'; mapped: {string.Join(", ", _byOwner.Keys)}");
}

/// <summary>Opens a <see cref="System.Device.Gpio.GpioController"/> over the given lines, on the driver the board
/// profile names (see <see cref="GpioDrivers"/>). The controller owns the driver.</summary>
/// <param name="lines">The lines, numbered as the controller's pin numbers.</param>
public delegate System.Device.Gpio.GpioController GpioControllerFactory(GpioLineMap lines);

using System.Device.Gpio;
using System.Device.Gpio.Drivers;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>A board profile's <c>"driver": "libgpiod"</c>: the lines of a <see cref="GpioLineMap"/> driven through
/// System.Device.Gpio's own <see cref="LibGpiodDriver"/> (libgpiod 1.x, <c>libgpiod.so.2</c>: Debian 12's
/// <c>libgpiod2</c>), one per chip. What libgpiod 1.x's driver cannot request is done here or refused: active-low
/// is applied in software (values and edges stay logical), debounce in software (<see cref="LevelDebouncer"/>), a
/// pull-up or pull-down on an input becomes its <see cref="PinMode"/>; open-drain, open-source, a bias on an output
/// and a disabled bias are refused with a <see cref="GpioException"/> naming the line. Edge timestamps are taken
/// when libgpiod's thread reports the edge, not the kernel's.</summary>
public sealed class LibGpiodLineDriver : LineMapGpioDriver
{
    private readonly object _gate = new();
    private readonly string _devDirectory;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, GpioController> _chips = [];
    private uint _sequence;

    /// <summary>Drives <paramref name="lines"/>; chips named by label are found in <paramref name="devDirectory"/>.</summary>
    public LibGpiodLineDriver(GpioLineMap lines, string devDirectory = "/dev", TimeProvider? timeProvider = null) : base(lines)
    {
        _devDirectory = devDirectory;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        lock (_gate)
        {
            foreach (var chip in _chips.Values) chip.Dispose();
            _chips.Clear();
        }
    }

    private protected override GpioLineRequest RequestLine(int pinNumber, GpioLineSettings settings, PinMode? mode, bool? initialActive)
    {
        Refuse(settings, mode);
        int chipNumber = ChipNumber(settings);
        var chip = Chip(chipNumber, settings);
        int offset = (int)settings.Pin.Line;
        if (offset >= chip.PinCount)
        {
            throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}' does not exist: the chip has {chip.PinCount} lines (0..{chip.PinCount - 1})");
        }
        var libgpiodMode = mode switch
        {
            PinMode.Output => PinMode.Output,
            PinMode.InputPullUp => PinMode.InputPullUp,
            PinMode.InputPullDown => PinMode.InputPullDown,
            PinMode.Input when settings.Bias == GpioBias.PullUp => PinMode.InputPullUp,
            PinMode.Input when settings.Bias == GpioBias.PullDown => PinMode.InputPullDown,
            _ => PinMode.Input,
        };
        try
        {
            if (libgpiodMode == PinMode.Output)
            {
                chip.OpenPin(offset, PinMode.Output, Physical(initialActive ?? false, settings) ? PinValue.High : PinValue.Low);
                return new Line(chip, offset, settings, null, null);
            }
            chip.OpenPin(offset, libgpiodMode);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            if (chip.IsPinOpen(offset)) chip.ClosePin(offset);
            // libgpiod says only EBUSY; the kernel knows who holds the line.
            if (HolderOf(chipNumber, settings.Pin.Line) is { } holder) throw GpioException.Busy(settings, holder);
            throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}' could not be requested through libgpiod: {e.Message}", e);
        }
        bool level = Physical(chip.Read(offset) == PinValue.High, settings);
        var debouncer = new LevelDebouncer(_time, settings.Debounce,
            (rising, timestamp) => RaiseEdge(pinNumber, rising, timestamp, Interlocked.Increment(ref _sequence)), level, leadingEdge: true);
        void OnEdge(object sender, PinValueChangedEventArgs e) => debouncer.Set(Physical(e.ChangeType == PinEventTypes.Rising, settings));
        chip.RegisterCallbackForPinValueChangedEvent(offset, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
        return new Line(chip, offset, settings, debouncer, OnEdge);
    }

    // Active-low in software: the logical value is the physical one inverted.
    private static bool Physical(bool value, GpioLineSettings settings) => value ^ settings.ActiveLow;

    private static void Refuse(GpioLineSettings settings, PinMode? mode)
    {
        string? missing = settings.Drive switch
        {
            GpioDrive.OpenDrain => "open-drain",
            GpioDrive.OpenSource => "open-source",
            _ => null,
        };
        if (settings.Bias == GpioBias.Disabled) missing ??= "a disabled bias";
        if (mode == PinMode.Output && settings.Bias is GpioBias.PullUp or GpioBias.PullDown) missing ??= "a pull resistor on an output";
        if (missing is not null)
        {
            throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}' asks for {missing}, which the libgpiod driver cannot request; use the board's default driver (chardev)");
        }
    }

    private GpioController Chip(int number, GpioLineSettings settings)
    {
        lock (_gate)
        {
            if (_chips.TryGetValue(number, out var chip)) return chip;
            try
            {
                chip = new GpioController(new LibGpiodDriver(number));
            }
            catch (Exception e) when (e is IOException or PlatformNotSupportedException or DllNotFoundException or TypeInitializationException)
            {
                throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': libgpiod cannot open gpiochip{number}: {e.Message}", e);
            }
            _chips[number] = chip;
            return chip;
        }
    }

    // The consumer holding a line, from the chip's line info; null when it is free or cannot be asked.
    private string? HolderOf(int chipNumber, uint offset)
    {
        try
        {
            var line = ChardevGpioDriver.DescribeChips(_devDirectory).FirstOrDefault(c => c.Name == $"gpiochip{chipNumber}")?.Lines.ElementAtOrDefault((int)offset);
            return line is { Used: true } ? line.Consumer : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private int ChipNumber(GpioLineSettings settings)
    {
        string chip = settings.Pin.Chip;
        if (chip.StartsWith("gpiochip", StringComparison.Ordinal) && int.TryParse(chip.AsSpan("gpiochip".Length), out int number)) return number;
        IReadOnlyList<GpioChipDescription> chips;
        try
        {
            chips = ChardevGpioDriver.DescribeChips(_devDirectory);
        }
        catch (IOException e)
        {
            throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': {e.Message}", e);
        }
        var match = chips.FirstOrDefault(c => c.Label == chip)
            ?? throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': no chip labelled '{chip}' in {_devDirectory}");
        return int.Parse(match.Name.AsSpan("gpiochip".Length), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class Line(GpioController chip, int offset, GpioLineSettings settings, LevelDebouncer? debouncer, PinChangeEventHandler? onEdge)
        : GpioLineRequest
    {
        public override bool Read() => debouncer?.Level ?? Physical(chip.Read(offset) == PinValue.High, settings);

        public override void Write(bool active) => chip.Write(offset, Physical(active, settings) ? PinValue.High : PinValue.Low);

        public override void Dispose()
        {
            if (onEdge is not null && chip.IsPinOpen(offset)) chip.UnregisterCallbackForPinValueChangedEvent(offset, onEdge);
            debouncer?.Dispose();
            if (chip.IsPinOpen(offset)) chip.ClosePin(offset);
        }
    }
}

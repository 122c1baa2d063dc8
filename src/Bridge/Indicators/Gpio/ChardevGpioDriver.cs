using System.Device.Gpio;
using Appliance.Bridge.Interop.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>The Linux GPIO character device, uAPI v2 (kernel 5.10 or later), as a <see cref="GpioDriver"/>: no
/// libgpiod needed. Each line is its own request with consumer label <c>appliance</c>, so the holder shows in
/// <c>gpioinfo</c>; active-low, drive, bias and debounce come from the <see cref="GpioLineMap"/>, and chips may be named
/// by label. Every input line is watched by one epoll thread per driver, which reads the kernel's edge queue
/// (with its timestamps) when a line request's descriptor becomes readable.</summary>
public sealed class ChardevGpioDriver : LineMapGpioDriver
{
    /// <summary>The consumer label every request carries.</summary>
    public const string Consumer = "appliance";

    private readonly string _devDirectory;
    private readonly GpioInputFaults _faults;
    private readonly object _loopGate = new();
    private GpioEventLoop? _loop;

    /// <summary>Drives <paramref name="lines"/> on the chips in <paramref name="devDirectory"/> (default /dev); an input
    /// line whose edges can no longer be read is reported to <paramref name="faults"/>.</summary>
    public ChardevGpioDriver(GpioLineMap lines, string devDirectory = "/dev", GpioInputFaults? faults = null) : base(lines)
    {
        _devDirectory = devDirectory;
        _faults = faults ?? new GpioInputFaults();
    }

    /// <summary>True when at least one <c>gpiochip*</c> exists in /dev.</summary>
    public static bool AnyChipPresent(string devDirectory = "/dev") =>
        Directory.Exists(devDirectory) && Directory.EnumerateFileSystemEntries(devDirectory, "gpiochip*").Any();

    /// <summary>Every chip in <paramref name="devDirectory"/> with every line and its current holder.</summary>
    /// <exception cref="IOException">A chip cannot be opened or asked.</exception>
    public static IReadOnlyList<GpioChipDescription> DescribeChips(string devDirectory = "/dev")
    {
        var chips = new List<GpioChipDescription>();
        foreach (var path in ChipPaths(devDirectory))
        {
            using var chip = GpioChipDevice.Open(path);
            var (name, label, count) = chip.GetInfo();
            var lines = new List<GpioLineDescription>((int)count);
            for (uint i = 0; i < count; i++)
            {
                var (lineName, consumer, flags) = chip.GetLineInfo(i);
                lines.Add(new GpioLineDescription(i, lineName, consumer, (flags & GpioUapi.FlagUsed) != 0,
                    (flags & GpioUapi.FlagOutput) != 0, (flags & GpioUapi.FlagActiveLow) != 0));
            }
            chips.Add(new GpioChipDescription(name, label, lines));
        }
        return chips;
    }

    /// <summary>Lines handled by the epoll thread so far (0 until the first input is requested).</summary>
    internal long EdgeWakeups => _loop?.Dispatched ?? 0;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            GpioEventLoop? loop;
            lock (_loopGate)
            {
                loop = _loop;
                _loop = null;
            }
            loop?.Dispose();
        }
        base.Dispose(disposing);
    }

    private protected override GpioLineRequest RequestLine(int pinNumber, GpioLineSettings settings, PinMode? mode, bool? initialActive)
    {
        ulong flags = mode switch
        {
            PinMode.Output => GpioUapi.FlagOutput | DriveFlags(settings.Drive) | BiasFlags(settings.Bias),
            PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown =>
                GpioUapi.FlagInput | GpioUapi.FlagEdgeRising | GpioUapi.FlagEdgeFalling | BiasFlags(mode switch
                {
                    PinMode.InputPullUp => GpioBias.PullUp,
                    PinMode.InputPullDown => GpioBias.PullDown,
                    _ => settings.Bias,
                }),
            _ => 0UL, // as it is: bias needs a direction, so none
        };
        if (settings.ActiveLow) flags |= GpioUapi.FlagActiveLow;
        bool input = (flags & GpioUapi.FlagInput) != 0;
        var handle = Request(settings, flags, initialActive, input ? settings.Debounce : TimeSpan.Zero);
        if (!input) return new Line(handle, null);
        try
        {
            var watch = new GpioEdgeWatch(Loop(), handle, settings, edge => RaiseEdge(pinNumber, edge.Rising, (long)edge.TimestampNs, edge.Sequence), _faults);
            return new Line(handle, watch);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private GpioEventLoop Loop()
    {
        lock (_loopGate) return _loop ??= new GpioEventLoop("gpio-edges");
    }

    private FileDescriptorHandle Request(GpioLineSettings settings, ulong flags, bool? initialActive, TimeSpan debounce)
    {
        try
        {
            return RequestCore(settings, flags, initialActive, debounce);
        }
        catch (IOException e)
        {
            // Typically EACCES: the service user is not in the group owning /dev/gpiochip*.
            throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': {e.Message}", e);
        }
    }

    private FileDescriptorHandle RequestCore(GpioLineSettings settings, ulong flags, bool? initialActive, TimeSpan debounce)
    {
        using var chip = OpenChip(settings);
        var (_, _, count) = chip.GetInfo();
        if (settings.Pin.Line >= count)
        {
            throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}' does not exist: {chip.Path} has {count} lines (0..{count - 1})");
        }
        var (line, errno) = chip.RequestLine(settings.Pin.Line, Consumer, flags, initialActive, (uint)debounce.TotalMicroseconds);
        if (line is not null) return line;
        var (_, holder, _) = chip.GetLineInfo(settings.Pin.Line);
        if (errno == LibC.EBusy) throw GpioException.Busy(settings, holder);
        throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}' could not be requested: errno {errno}"
            + (holder.Length > 0 ? $", held by '{holder}'" : ""));
    }

    private GpioChipDevice OpenChip(GpioLineSettings settings)
    {
        string chip = settings.Pin.Chip;
        string direct = Path.Combine(_devDirectory, chip);
        if (chip.StartsWith("gpiochip", StringComparison.Ordinal))
        {
            try
            {
                return GpioChipDevice.Open(direct);
            }
            catch (FileNotFoundException)
            {
                throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': chip {direct} does not exist");
            }
        }
        // A label (pinctrl-rp1, 44e07000.gpio): chip numbers move between kernels, labels do not.
        foreach (var path in ChipPaths(_devDirectory))
        {
            var device = GpioChipDevice.Open(path);
            if (device.GetInfo().Label == chip) return device;
            device.Dispose();
        }
        throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': no chip labelled '{chip}' in {_devDirectory}");
    }

    private static IEnumerable<string> ChipPaths(string devDirectory) =>
        !Directory.Exists(devDirectory) ? [] :
        Directory.EnumerateFileSystemEntries(devDirectory, "gpiochip*")
            .OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal);

    private static ulong BiasFlags(GpioBias bias) => bias switch
    {
        GpioBias.Disabled => GpioUapi.FlagBiasDisabled,
        GpioBias.PullUp => GpioUapi.FlagBiasPullUp,
        GpioBias.PullDown => GpioUapi.FlagBiasPullDown,
        _ => 0UL,
    };

    private static ulong DriveFlags(GpioDrive drive) => drive switch
    {
        GpioDrive.OpenDrain => GpioUapi.FlagOpenDrain,
        GpioDrive.OpenSource => GpioUapi.FlagOpenSource,
        _ => 0UL,
    };

    /// <summary>One line request; an input's descriptor is in the event loop's epoll set while it is watched.</summary>
    private sealed class Line(FileDescriptorHandle handle, GpioEdgeWatch? watch) : GpioLineRequest
    {
        public override bool Read() => GpioChipDevice.GetValue(handle);

        public override void Write(bool active) => GpioChipDevice.SetValue(handle, active);

        public override void Dispose()
        {
            watch?.Dispose();
            handle.Dispose();
        }
    }
}

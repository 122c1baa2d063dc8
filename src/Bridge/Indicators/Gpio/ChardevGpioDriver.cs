using Appliance.Bridge.Interop.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>The Linux GPIO character device, uAPI v2 (kernel 5.10 or later). Each line is its own request with
/// consumer label <c>appliance</c>, so the holder shows in <c>gpioinfo</c>.</summary>
public sealed class ChardevGpioDriver : IGpioDriver
{
    /// <summary>The consumer label every request carries.</summary>
    public const string Consumer = "appliance";

    private readonly string _devDirectory;

    /// <summary>Uses the chips in <paramref name="devDirectory"/> (default /dev).</summary>
    public ChardevGpioDriver(string devDirectory = "/dev") => _devDirectory = devDirectory;

    /// <summary>True when at least one <c>gpiochip*</c> exists in /dev.</summary>
    public static bool AnyChipPresent(string devDirectory = "/dev") =>
        Directory.Exists(devDirectory) && Directory.EnumerateFileSystemEntries(devDirectory, "gpiochip*").Any();

    /// <inheritdoc />
    public IGpioOutput OpenOutput(GpioLineSettings settings, bool initialActive)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var line = Request(settings, GpioUapi.FlagOutput | DriveFlags(settings.Drive) | CommonFlags(settings), initialActive, TimeSpan.Zero);
        return new ChardevOutput(settings.Pin, line);
    }

    /// <inheritdoc />
    public IGpioInput OpenInput(GpioLineSettings settings, TimeSpan debounce)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ulong flags = GpioUapi.FlagInput | GpioUapi.FlagEdgeRising | GpioUapi.FlagEdgeFalling | CommonFlags(settings);
        return new ChardevInput(settings.Pin, Request(settings, flags, null, debounce));
    }

    /// <inheritdoc />
    public IReadOnlyList<GpioChipDescription> DescribeChips()
    {
        var chips = new List<GpioChipDescription>();
        foreach (var path in ChipPaths())
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
        foreach (var path in ChipPaths())
        {
            var device = GpioChipDevice.Open(path);
            if (device.GetInfo().Label == chip) return device;
            device.Dispose();
        }
        throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': no chip labelled '{chip}' in {_devDirectory}");
    }

    private IEnumerable<string> ChipPaths() =>
        !Directory.Exists(_devDirectory) ? [] :
        Directory.EnumerateFileSystemEntries(_devDirectory, "gpiochip*")
            .OrderBy(p => p.Length).ThenBy(p => p, StringComparer.Ordinal);

    private static ulong CommonFlags(GpioLineSettings settings) =>
        (settings.ActiveLow ? GpioUapi.FlagActiveLow : 0) | settings.Bias switch
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
}

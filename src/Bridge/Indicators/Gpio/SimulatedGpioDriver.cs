using System.Device.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>A <see cref="GpioDriver"/> over <see cref="SimulatedGpioChips"/>: what the chardev driver does on a
/// board, in memory. Active-low, drive, bias and debounce come from the same <see cref="GpioLineMap"/>; edges reach
/// the controller's callbacks on the timer that settled them.</summary>
public sealed class SimulatedGpioDriver : LineMapGpioDriver
{
    private readonly SimulatedGpioChips _chips;
    private uint _sequence;

    /// <summary>Drives <paramref name="lines"/> on <paramref name="chips"/>.</summary>
    public SimulatedGpioDriver(SimulatedGpioChips chips, GpioLineMap lines) : base(lines) =>
        _chips = chips ?? throw new ArgumentNullException(nameof(chips));

    private protected override GpioLineRequest RequestLine(int pinNumber, GpioLineSettings settings, PinMode? mode, bool? initialActive) =>
        mode == PinMode.Output
            ? _chips.Request(settings, initialActive ?? false, null)
            : _chips.Request(settings, false, (rising, timestamp) => RaiseEdge(pinNumber, rising, timestamp, Interlocked.Increment(ref _sequence)));
}

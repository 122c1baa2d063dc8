using System.Device.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>An edge as the project's drivers report it to <see cref="GpioController"/> callbacks: the base class plus
/// the time of the edge, so a consumer need not guess from when the callback ran.</summary>
public sealed class GpioEdgeEventArgs : PinValueChangedEventArgs
{
    /// <summary>Creates the event.</summary>
    /// <param name="changeType">Rising (became active) or falling.</param>
    /// <param name="pinNumber">The controller's pin number.</param>
    /// <param name="timestamp">When the edge happened: the kernel's CLOCK_MONOTONIC nanoseconds for the chardev driver,
    /// the <see cref="TimeProvider"/> timestamp for the simulation.</param>
    /// <param name="sequence">The line's event sequence number (1, 2, ...): a gap means the kernel's queue overflowed.</param>
    public GpioEdgeEventArgs(PinEventTypes changeType, int pinNumber, long timestamp, uint sequence) : base(changeType, pinNumber)
    {
        Timestamp = timestamp;
        Sequence = sequence;
    }

    /// <summary>When the edge happened (see the constructor).</summary>
    public long Timestamp { get; }

    /// <summary>The line's event sequence number.</summary>
    public uint Sequence { get; }
}

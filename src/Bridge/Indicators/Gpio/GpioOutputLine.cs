using System.Device.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>One output pin of a <see cref="GpioController"/>, by its owner's name: what an indicator or the heartbeat
/// drives. Values are logical (true: active). Disposing closes the pin.</summary>
internal sealed class GpioOutputLine : IDisposable
{
    private readonly GpioController _controller;
    private readonly int _number;

    private GpioOutputLine(GpioController controller, int number, GpioPin pin)
    {
        _controller = controller;
        _number = number;
        Pin = pin;
    }

    /// <summary>The line, for messages.</summary>
    public GpioPin Pin { get; }

    /// <summary>Opens <paramref name="owner"/>'s line as an output starting at <paramref name="initialActive"/>.</summary>
    /// <exception cref="GpioException">Missing chip or line, or the line is held by another consumer.</exception>
    public static GpioOutputLine Open(GpioController controller, GpioLineMap lines, string owner, bool initialActive)
    {
        int number = lines.NumberOf(owner);
        try
        {
            controller.OpenPin(number, PinMode.Output, initialActive ? PinValue.High : PinValue.Low);
        }
        catch
        {
            if (controller.IsPinOpen(number)) controller.ClosePin(number);
            throw;
        }
        return new GpioOutputLine(controller, number, lines[number].Pin);
    }

    /// <summary>Sets the logical value.</summary>
    /// <exception cref="IOException">The kernel refused the write.</exception>
    public void Write(bool active) => _controller.Write(_number, active ? PinValue.High : PinValue.Low);

    /// <summary>Closes the pin (the line keeps its last value where the chip allows).</summary>
    public void Dispose()
    {
        if (_controller.IsPinOpen(_number)) _controller.ClosePin(_number);
    }
}

using System.Device.Gpio;
using System.Threading.Channels;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>One input pin of a <see cref="GpioController"/>, by its owner's name, with its edges queued (the newest
/// 64 kept) so the controller's callback, which runs on the driver's event thread, only hands them over.</summary>
internal sealed class GpioInputLine : IDisposable
{
    private readonly GpioController _controller;
    private readonly int _number;
    private readonly Channel<PinValueChangedEventArgs> _edges = Channel.CreateBounded<PinValueChangedEventArgs>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private GpioInputLine(GpioController controller, int number, GpioPin pin)
    {
        _controller = controller;
        _number = number;
        Pin = pin;
    }

    /// <summary>The line, for messages.</summary>
    public GpioPin Pin { get; }

    /// <summary>Opens <paramref name="owner"/>'s line as an input reporting both edges.</summary>
    /// <exception cref="GpioException">Missing chip or line, or the line is held by another consumer.</exception>
    public static GpioInputLine Open(GpioController controller, GpioLineMap lines, string owner)
    {
        int number = lines.NumberOf(owner);
        var line = new GpioInputLine(controller, number, lines[number].Pin);
        try
        {
            controller.OpenPin(number, PinMode.Input);
            controller.RegisterCallbackForPinValueChangedEvent(number, PinEventTypes.Rising | PinEventTypes.Falling, line.OnEdge);
        }
        catch
        {
            if (controller.IsPinOpen(number)) controller.ClosePin(number);
            throw;
        }
        return line;
    }

    /// <summary>The current logical value.</summary>
    public bool Read() => _controller.Read(_number) == PinValue.High;

    /// <summary>Waits for the next edge (a <see cref="GpioEdgeEventArgs"/> from the project's drivers, with its time).</summary>
    /// <exception cref="ChannelClosedException">The line was released.</exception>
    public ValueTask<PinValueChangedEventArgs> ReadEdgeAsync(CancellationToken cancellationToken) => _edges.Reader.ReadAsync(cancellationToken);

    /// <summary>Stops the edges and closes the pin.</summary>
    public void Dispose()
    {
        _edges.Writer.TryComplete();
        if (!_controller.IsPinOpen(_number)) return;
        _controller.UnregisterCallbackForPinValueChangedEvent(_number, OnEdge);
        _controller.ClosePin(_number);
    }

    private void OnEdge(object sender, PinValueChangedEventArgs edge) => _edges.Writer.TryWrite(edge);
}

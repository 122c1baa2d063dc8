using System.Device.Gpio;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>What the project's two <see cref="GpioDriver"/>s share: pin number N is line N of a
/// <see cref="GpioLineMap"/>, a line is requested from the kernel when its mode is set (so an output starts at its
/// initial value, never glitching through input), and edges reach <see cref="GpioController"/> callbacks with their
/// timestamps as <see cref="GpioEdgeEventArgs"/>. Pin values are logical: High is active, whatever the line's polarity.</summary>
public abstract class LineMapGpioDriver : GpioDriver
{
    private readonly object _gate = new();
    private readonly Dictionary<int, OpenLine> _open = [];
    private readonly PinEdgeCallbacks _edges;

    private protected LineMapGpioDriver(GpioLineMap lines)
    {
        Lines = lines ?? throw new ArgumentNullException(nameof(lines));
        _edges = new PinEdgeCallbacks(this);
    }

    /// <summary>The lines, by pin number.</summary>
    public GpioLineMap Lines { get; }

    /// <inheritdoc />
    protected override int PinCount => Lines.Count;

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        _ = Lines[pinNumber];
        lock (_gate) _open.TryAdd(pinNumber, new OpenLine());
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        OpenLine? line;
        lock (_gate) _open.Remove(pinNumber, out line);
        _edges.Clear(pinNumber);
        line?.Request?.Dispose();
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode) => Configure(pinNumber, mode, null);

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => Configure(pinNumber, mode, initialValue == PinValue.High);

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate) return Get(pinNumber).Mode ?? PinMode.Input;
    }

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber)
    {
        GpioLineRequest request;
        lock (_gate)
        {
            var line = Get(pinNumber);
            // Opened without a mode: hold it as it is, so reading changes nothing.
            request = line.Request ??= RequestLine(pinNumber, Lines[pinNumber], null, null);
        }
        return request.Read() ? PinValue.High : PinValue.Low;
    }

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        GpioLineRequest request;
        lock (_gate)
        {
            var line = Get(pinNumber);
            if (line.Mode != PinMode.Output || line.Request is null)
            {
                throw new InvalidOperationException($"GPIO {Lines[pinNumber].Pin} for '{Lines[pinNumber].Owner}' is not an output");
            }
            request = line.Request;
        }
        request.Write(value == PinValue.High);
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        WaitForEventAsync(pinNumber, eventTypes, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override ValueTask<WaitForEventResult> WaitForEventAsync(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        RequireInput(pinNumber);
        return _edges.WaitAsync(pinNumber, eventTypes, cancellationToken);
    }

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        RequireInput(pinNumber);
        _edges.Add(pinNumber, eventTypes, callback);
    }

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => _edges.Remove(pinNumber, callback);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            OpenLine[] lines;
            lock (_gate)
            {
                lines = [.. _open.Values];
                _open.Clear();
            }
            foreach (var line in lines) line.Request?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Requests the line of <paramref name="pinNumber"/> in <paramref name="mode"/> (null: as it is), an
    /// output starting at <paramref name="initialActive"/> (null: inactive). Inputs report both edges through
    /// <see cref="RaiseEdge"/>, debounced as the line map says.</summary>
    /// <exception cref="GpioException">Missing chip or line, or the line is held by another consumer.</exception>
    private protected abstract GpioLineRequest RequestLine(int pinNumber, GpioLineSettings settings, PinMode? mode, bool? initialActive);

    /// <summary>Hands an edge of an input line to the controller's callbacks.</summary>
    private protected void RaiseEdge(int pinNumber, bool rising, long timestamp, uint sequence) =>
        _edges.Raise(new GpioEdgeEventArgs(rising ? PinEventTypes.Rising : PinEventTypes.Falling, pinNumber, timestamp, sequence));

    // A mode change re-requests the line: the kernel's request carries direction, drive, bias and debounce together.
    private void Configure(int pinNumber, PinMode mode, bool? initialActive)
    {
        lock (_gate)
        {
            var line = Get(pinNumber);
            line.Request?.Dispose();
            line.Request = null;
            line.Mode = null;
            line.Request = RequestLine(pinNumber, Lines[pinNumber], mode, mode == PinMode.Output ? initialActive : null);
            line.Mode = mode;
        }
    }

    private void RequireInput(int pinNumber)
    {
        lock (_gate)
        {
            if (Get(pinNumber).Mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown) return;
        }
        throw new InvalidOperationException($"GPIO {Lines[pinNumber].Pin} for '{Lines[pinNumber].Owner}' reports edges only as an input");
    }

    private OpenLine Get(int pinNumber) => _open.TryGetValue(pinNumber, out var line) ? line
        : throw new InvalidOperationException($"pin number {pinNumber} is not open");

    private sealed class OpenLine
    {
        public GpioLineRequest? Request { get; set; }
        public PinMode? Mode { get; set; }
    }
}

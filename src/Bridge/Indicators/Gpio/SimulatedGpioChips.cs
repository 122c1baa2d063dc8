namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>GPIO chips in memory, for development machines, the demo and tests: the hardware that
/// <see cref="SimulatedGpioDriver"/>s request lines from. Every output transition is recorded with its
/// <see cref="TimeProvider"/> time, input lines can be "pressed", and lines can be marked as held by someone else.
/// Behaves like the kernel: one request per line, debounce reports an edge only once the level has been stable.</summary>
public sealed class SimulatedGpioChips
{
    /// <summary>How many transitions <see cref="Transitions"/> keeps (the oldest are dropped).</summary>
    public const int TransitionCapacity = 10_000;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, uint> _chips;
    private readonly Dictionary<GpioPin, SimulatedLine> _lines = [];
    private readonly Dictionary<GpioPin, string> _foreignHolders = [];
    private readonly Queue<GpioTransition> _transitions = new();

    /// <summary>Creates a simulation with one chip <c>gpiochip0</c> (label <c>gpio-sim</c>) of 64 lines, or the given chips.</summary>
    /// <param name="timeProvider">Stamps transitions and runs debounce.</param>
    /// <param name="chips">Chip name to line count.</param>
    public SimulatedGpioChips(TimeProvider? timeProvider = null, IReadOnlyDictionary<string, uint>? chips = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _chips = new Dictionary<string, uint>(chips ?? new Dictionary<string, uint> { ["gpiochip0"] = 64 }, StringComparer.Ordinal);
    }

    /// <summary>The label every simulated chip reports; pins may name it instead of the chip.</summary>
    public const string ChipLabel = "gpio-sim";

    /// <summary>Raised on every output write that changes the level, on the writer's thread. Must be quick.</summary>
    public event Action<GpioTransition>? LineWritten;

    /// <summary>The recorded output transitions, oldest first (at most <see cref="TransitionCapacity"/>).</summary>
    public IReadOnlyList<GpioTransition> Transitions
    {
        get { lock (_gate) return [.. _transitions]; }
    }

    /// <summary>Transitions of one line, oldest first.</summary>
    public IReadOnlyList<GpioTransition> TransitionsOf(GpioPin pin)
    {
        lock (_gate) return [.. _transitions.Where(t => t.Pin == pin)];
    }

    /// <summary>The logical value of a requested line; null when nobody holds it.</summary>
    public bool? LevelOf(GpioPin pin)
    {
        lock (_gate) return _lines.TryGetValue(Normalize(pin), out var line) ? line.Active : null;
    }

    /// <summary>True while the appliance holds the line.</summary>
    public bool IsHeld(GpioPin pin)
    {
        lock (_gate) return _lines.ContainsKey(Normalize(pin));
    }

    /// <summary>Marks a line as held by another consumer, so a request for it fails with EBUSY.</summary>
    public void HoldElsewhere(GpioPin pin, string consumer)
    {
        lock (_gate) _foreignHolders[Normalize(pin)] = consumer;
    }

    /// <summary>Sets the raw logical level of an input line, as a contact would (bouncing included).</summary>
    public void SetInput(GpioPin pin, bool active)
    {
        SimulatedLine line;
        lock (_gate)
        {
            if (!_lines.TryGetValue(Normalize(pin), out line!) || line.Input is null)
            {
                throw new InvalidOperationException($"GPIO {pin} is not requested as an input");
            }
        }
        line.Input.Set(active);
    }

    /// <summary>Presses (active) a push button on an input line.</summary>
    public void Press(GpioPin pin) => SetInput(pin, true);

    /// <summary>Releases a push button on an input line.</summary>
    public void Release(GpioPin pin) => SetInput(pin, false);

    /// <summary>Requests a line: an output at <paramref name="initialActive"/>, or an input (when
    /// <paramref name="onEdge"/> is given) reporting debounced edges to it.</summary>
    /// <exception cref="GpioException">Missing chip or line, or the line is held.</exception>
    internal GpioLineRequest Request(GpioLineSettings settings, bool initialActive, Action<bool, long>? onEdge)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var input = onEdge is null ? null : new LevelDebouncer(_time, settings.Debounce, onEdge);
        SimulatedLine line;
        try
        {
            line = Claim(settings, initialActive, input);
        }
        catch
        {
            input?.Dispose();
            throw;
        }
        if (input is null) Record(line.Pin, initialActive);
        return new LineRequest(this, line);
    }

    /// <summary>Every chip with every line and its current holder.</summary>
    public IReadOnlyList<GpioChipDescription> DescribeChips()
    {
        lock (_gate)
        {
            return [.. _chips.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new GpioChipDescription(c.Key, ChipLabel,
                [.. Enumerable.Range(0, (int)c.Value).Select(i => Describe(new GpioPin(c.Key, (uint)i)))]))];
        }
    }

    private GpioLineDescription Describe(GpioPin pin)
    {
        if (_lines.TryGetValue(pin, out var line))
        {
            return new GpioLineDescription(pin.Line, "", ChardevGpioDriver.Consumer, true, line.Input is null, line.Settings.ActiveLow);
        }
        bool foreign = _foreignHolders.TryGetValue(pin, out var holder);
        return new GpioLineDescription(pin.Line, "", holder ?? "", foreign, false, false);
    }

    private SimulatedLine Claim(GpioLineSettings settings, bool initialActive, LevelDebouncer? input)
    {
        var pin = Normalize(settings.Pin);
        lock (_gate)
        {
            if (!_chips.TryGetValue(pin.Chip, out uint count))
            {
                throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}': chip {pin.Chip} does not exist");
            }
            if (pin.Line >= count)
            {
                throw new GpioException($"GPIO {settings.Pin} for '{settings.Owner}' does not exist: {pin.Chip} has {count} lines (0..{count - 1})");
            }
            if (_foreignHolders.TryGetValue(pin, out var holder)) throw GpioException.Busy(settings, holder);
            if (_lines.ContainsKey(pin)) throw GpioException.Busy(settings, ChardevGpioDriver.Consumer);
            var line = new SimulatedLine(pin, settings, input) { Active = initialActive };
            _lines[pin] = line;
            return line;
        }
    }

    private void Write(SimulatedLine line, bool active)
    {
        lock (_gate)
        {
            if (line.Released) throw new ObjectDisposedException($"GPIO {line.Pin}");
            if (line.Active == active) return;
            line.Active = active;
        }
        Record(line.Pin, active);
    }

    private void Record(GpioPin pin, bool active)
    {
        var transition = new GpioTransition(pin, active, _time.GetUtcNow(), _time.GetTimestamp());
        lock (_gate)
        {
            if (_transitions.Count == TransitionCapacity) _transitions.Dequeue();
            _transitions.Enqueue(transition);
        }
        LineWritten?.Invoke(transition);
    }

    private void Free(GpioPin pin)
    {
        lock (_gate)
        {
            if (_lines.Remove(pin, out var line)) line.Released = true;
        }
    }

    // A pin given by the simulated chip's label means the first chip.
    private GpioPin Normalize(GpioPin pin) =>
        pin.Chip == ChipLabel && _chips.Count > 0 ? pin with { Chip = _chips.Keys.Order(StringComparer.Ordinal).First() } : pin;

    private sealed class SimulatedLine(GpioPin pin, GpioLineSettings settings, LevelDebouncer? input)
    {
        public GpioPin Pin { get; } = pin;
        public GpioLineSettings Settings { get; } = settings;
        public LevelDebouncer? Input { get; } = input;
        public bool Active { get; set; }
        public bool Released { get; set; }
    }

    private sealed class LineRequest(SimulatedGpioChips owner, SimulatedLine line) : GpioLineRequest
    {
        public override bool Read()
        {
            lock (owner._gate) return line.Input?.Level ?? line.Active;
        }

        public override void Write(bool active) => owner.Write(line, active);

        public override void Dispose()
        {
            line.Input?.Dispose();
            owner.Free(line.Pin);
        }
    }
}

/// <summary>One recorded output transition of the simulated driver.</summary>
/// <param name="Pin">The line.</param>
/// <param name="Active">The new logical value.</param>
/// <param name="At">Wall-clock time from the driver's <see cref="TimeProvider"/>.</param>
/// <param name="Timestamp">The provider's timestamp, for latency measurements.</param>
public readonly record struct GpioTransition(GpioPin Pin, bool Active, DateTimeOffset At, long Timestamp);

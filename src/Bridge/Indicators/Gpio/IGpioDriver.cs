namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>Access to GPIO lines: the Linux character device, or a simulation for development machines and tests.</summary>
public interface IGpioDriver
{
    /// <summary>Requests an output line with consumer label <c>appliance</c>, starting at <paramref name="initialActive"/>.</summary>
    /// <exception cref="GpioException">Missing chip or line, or the line is held by another consumer.</exception>
    IGpioOutput OpenOutput(GpioLineSettings settings, bool initialActive);

    /// <summary>Requests an input line reporting both edges, debounced by <paramref name="debounce"/>.</summary>
    /// <exception cref="GpioException">Missing chip or line, or the line is held by another consumer.</exception>
    IGpioInput OpenInput(GpioLineSettings settings, TimeSpan debounce);

    /// <summary>Every chip with every line and its current holder.</summary>
    IReadOnlyList<GpioChipDescription> DescribeChips();
}

/// <summary>A requested output line. Disposing releases it.</summary>
public interface IGpioOutput : IDisposable
{
    /// <summary>The line.</summary>
    GpioPin Pin { get; }

    /// <summary>Sets the logical value (active honours active-low).</summary>
    void Write(bool active);
}

/// <summary>A requested input line. Disposing releases it.</summary>
public interface IGpioInput : IDisposable
{
    /// <summary>The line.</summary>
    GpioPin Pin { get; }

    /// <summary>The current logical value.</summary>
    bool Read();

    /// <summary>Waits for the next debounced edge.</summary>
    ValueTask<GpioEdge> ReadEdgeAsync(CancellationToken cancellationToken);
}

/// <summary>A debounced edge of an input line.</summary>
/// <param name="Rising">True when the line became active.</param>
/// <param name="Timestamp">When the edge happened (kernel monotonic nanoseconds for the chardev, virtual time ticks for the simulation).</param>
public readonly record struct GpioEdge(bool Rising, long Timestamp);

using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>Input lines that stopped reporting edges because reading them failed (EIO or ENODEV when their chip went
/// away, e.g. an unplugged GPIO expander). Each line is logged once, naming the line and the errno, and stays listed
/// until the process ends, so the indicators' health check reports Degraded: the lamps still work, the line does
/// not. One instance per host, shared by the drivers that report and the health check that reads.</summary>
public sealed class GpioInputFaults
{
    private readonly object _gate = new();
    private readonly Dictionary<GpioPin, GpioInputFault> _byPin = [];
    private readonly ILogger _logger;

    /// <summary>Creates an empty list; failures are logged to <paramref name="logger"/> (nowhere when null).</summary>
    public GpioInputFaults(ILogger<GpioInputFaults>? logger = null) => _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Every failed input line, one entry per line (bounded by the configured lines).</summary>
    public IReadOnlyList<GpioInputFault> Current
    {
        get
        {
            lock (_gate) return [.. _byPin.Values];
        }
    }

    /// <summary>Records that reading <paramref name="line"/> failed with <paramref name="errno"/> (0: end of file);
    /// logged only the first time for a line.</summary>
    internal void Report(GpioLineSettings line, int errno)
    {
        var fault = new GpioInputFault(line.Pin, line.Owner, errno, errno == 0 ? "end of file" : Marshal.GetPInvokeErrorMessage(errno));
        lock (_gate)
        {
            if (!_byPin.TryAdd(line.Pin, fault)) return;
        }
        _logger.LogError("GPIO input {Pin} for '{Owner}' stopped reporting edges: reading it failed with errno {Errno} ({Error}); the other lines go on",
            fault.Pin, fault.Owner, fault.Errno, fault.Error);
    }
}

/// <summary>One input line whose edges stopped.</summary>
/// <param name="Pin">The line.</param>
/// <param name="Owner">What it was for (acknowledge-button, ...).</param>
/// <param name="Errno">The failed read's errno (0: end of file).</param>
/// <param name="Error">The errno's text.</param>
public sealed record GpioInputFault(GpioPin Pin, string Owner, int Errno, string Error)
{
    /// <inheritdoc />
    public override string ToString() => $"{Pin} for '{Owner}': errno {Errno} ({Error})";
}

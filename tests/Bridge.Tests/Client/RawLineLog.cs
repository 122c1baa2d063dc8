using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Tests.Client;

/// <summary>A logger that keeps every raw line the QMP client logs at Trace level: what the monitor really sent.</summary>
internal sealed class RawLineLog : ILogger
{
    private const string Marker = " <- ";
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel != LogLevel.Trace) return;
        string message = formatter(state, exception);
        int at = message.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0) return;
        lock (_lines) _lines.Add(message[(at + Marker.Length)..]);
    }
}

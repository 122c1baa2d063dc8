using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Client;

/// <summary>The log of one monitor (one peer), across its reconnects: lines at Information and above are limited to
/// <see cref="LinesPerWindow"/> per <see cref="Window"/>, the rest counted and reported in one line; every message has
/// its control characters (and undecodable bytes) escaped. A monitor sending garbage then costs a few lines a minute,
/// not thousands, and no raw NUL or 0xFF reaches the journal of the system.</summary>
internal sealed class PeerLogger(ILogger inner, string peer, TimeProvider time) : ILogger
{
    /// <summary>Lines allowed per window.</summary>
    public const int LinesPerWindow = 20;

    /// <summary>The window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private long _windowStart = time.GetTimestamp();
    private int _lines;
    private long _suppressed;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel)) return;
        long suppressed = 0;
        if (logLevel >= LogLevel.Information)
        {
            lock (_gate)
            {
                if (time.GetElapsedTime(_windowStart) >= Window)
                {
                    suppressed = _suppressed;
                    _suppressed = 0;
                    _lines = 0;
                    _windowStart = time.GetTimestamp();
                }
                if (_lines >= LinesPerWindow)
                {
                    _suppressed++;
                    return;
                }
                _lines++;
            }
        }
        if (suppressed > 0)
        {
            inner.Log(LogLevel.Warning, eventId, $"{peer}: {suppressed} more log lines about this monitor were suppressed in the last {Window.TotalSeconds:0} s",
                null, static (s, _) => s);
        }
        inner.Log(logLevel, eventId, Escape(formatter(state, exception)), exception, static (s, _) => s);
    }

    /// <summary>Control characters (C0, DEL, C1) and U+FFFD (an undecodable byte) as <c>\uXXXX</c>.</summary>
    public static string Escape(string text)
    {
        if (!text.Any(NeedsEscape)) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (NeedsEscape(c)) escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) => c < ' ' || (c >= '\u007f' && c <= '\u009f') || c == '\ufffd';
}

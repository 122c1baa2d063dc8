using Microsoft.Extensions.Logging;

namespace Appliance.Host.Dashboard;

/// <summary>Keeps the last log lines in memory for the dashboard's log pane, while the dashboard owns the terminal.</summary>
internal sealed class LogTailProvider(int capacity = 8) : ILoggerProvider
{
    private readonly Queue<string> _lines = new();

    public IReadOnlyList<string> Tail()
    {
        lock (_lines) return [.. _lines];
    }

    public ILogger CreateLogger(string categoryName) => new TailLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    private sealed class TailLogger(LogTailProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string level = logLevel switch
            {
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                LogLevel.Critical => "crit",
                _ => "dbug",
            };
            owner.Add($"{DateTime.UtcNow:HH:mm:ss} {level} {category}: {formatter(state, exception)}");
        }
    }
}

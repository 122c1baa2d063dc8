using Microsoft.Extensions.Logging;

namespace Appliance.Host.Dashboard;

/// <summary>Keeps the last log lines in memory for the dashboard's log pane, while the dashboard owns the terminal.</summary>
internal sealed class LogTailProvider(int capacity = 16) : ILoggerProvider
{
    private readonly Queue<string> _lines = new();

    public IReadOnlyList<string> Tail()
    {
        lock (_lines) return [.. _lines];
    }

    /// <summary>The host's lifetime lines ("Application started", "Hosting environment", "Content root path") say
    /// nothing about the appliance and would take a third of a small pane: only its warnings and errors show.</summary>
    private const string HostLifetimeCategory = "Microsoft.Hosting.Lifetime";

    public ILogger CreateLogger(string categoryName) =>
        new TailLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..], categoryName == HostLifetimeCategory ? LogLevel.Warning : LogLevel.Information);

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

    private sealed class TailLogger(LogTailProvider owner, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

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

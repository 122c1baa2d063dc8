using System.Diagnostics;

namespace Appliance.Tests.Dashboard;

/// <summary>A command in a detached tmux session of a given size, on a private tmux server (its own socket), so a
/// test sees exactly what a terminal of that size shows (<c>capture-pane</c>) and can type into it.</summary>
internal sealed class TmuxSession : IDisposable
{
    private readonly string _server = "apl-" + Guid.NewGuid().ToString("N")[..10];

    private TmuxSession()
    {
    }

    /// <summary>Whether tmux is installed (scripts/ensure-deps.sh installs it).</summary>
    public static bool Available => File.Exists("/usr/bin/tmux") || File.Exists("/usr/local/bin/tmux");

    /// <summary>Starts <paramref name="command"/> in a <paramref name="width"/> x <paramref name="height"/> session.</summary>
    public static TmuxSession Start(int width, int height, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var session = new TmuxSession();
        var args = new List<string> { "new-session", "-d", "-s", "main", "-x", $"{width}", "-y", $"{height}" };
        foreach (var (k, v) in environment) args.AddRange(["-e", $"{k}={v}"]);
        args.AddRange(command);
        session.Run(args);
        return session;
    }

    /// <summary>The screen as text, wrapped lines joined (so a line longer than the width shows as one).</summary>
    public string[] Capture() => Run(["capture-pane", "-p", "-J", "-t", "main"])!.TrimEnd('\n').Split('\n');

    /// <summary>Types keys (tmux key names, e.g. "q" or "C-c").</summary>
    public void SendKeys(string keys) => Run(["send-keys", "-t", "main", keys]);

    /// <summary>Resizes the window, as a user resizing the terminal.</summary>
    public void Resize(int width, int height) => Run(["resize-window", "-t", "main", "-x", $"{width}", "-y", $"{height}"]);

    /// <summary>Whether the command still runs (the session ends with it).</summary>
    public bool IsRunning => Run(["has-session", "-t", "main"], check: false) is not null;

    public void Dispose() => Run(["kill-server"], check: false);

    private string? Run(IReadOnlyList<string> args, bool check = true)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_server);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start");
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode == 0) return stdout;
        if (check) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: exit {process.ExitCode}: {stderr.Trim()}");
        return null;
    }
}

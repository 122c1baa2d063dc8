using Appliance.Host.Configuration;
using Appliance.Host.Control;
using Microsoft.Extensions.Configuration;

namespace Appliance.Host.Cli;

/// <summary>Where the verbs that talk to an appliance (status, top, ack, events) find it when not told: the
/// configured directories (system file, <c>APPLIANCE__</c> variables, else the systemd/XDG defaults), and, when
/// nothing is there, the state of <c>scripts/demo.sh</c> (<c>.state/</c>) in the current directory or above it.</summary>
internal static class ApplianceLocator
{
    /// <summary>The demo's state folder name, at the repository root.</summary>
    public const string DemoStateDirectory = ".state";

    /// <summary>The control socket to try: <paramref name="given"/>, else the configured one, else the demo's when
    /// only that exists.</summary>
    public static string SocketPath(string? given)
    {
        if (given is not null) return given;
        var configuration = ConfigurationLayers.Build(null, new Dictionary<string, string?>());
        string configured = Path.Combine(configuration[nameof(ApplianceOptions.RuntimeDirectory)] ?? ApplianceOptions.DefaultRuntimeDirectory(), ControlProtocol.SocketFileName);
        if (File.Exists(configured) || configuration[nameof(ApplianceOptions.RuntimeDirectory)] is not null) return configured;
        return FindDemo() is { } demo && Path.Combine(demo, "run", ControlProtocol.SocketFileName) is var socket && File.Exists(socket) ? socket : configured;
    }

    /// <summary>The demo's journal, when the configuration names no journal of its own that exists.</summary>
    public static string? DemoJournal(IConfiguration configuration, string configuredPath)
    {
        if (File.Exists(configuredPath) || configuration["Journal:Path"] is not null || configuration[nameof(ApplianceOptions.StateDirectory)] is not null) return null;
        return FindDemo() is { } demo && Path.Combine(demo, "journal.db") is var journal && File.Exists(journal) ? journal : null;
    }

    /// <summary>The <c>.state</c> folder of a checkout (a folder with scripts/demo.sh) at or above the current directory.</summary>
    private static string? FindDemo()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            string state = Path.Combine(dir.FullName, DemoStateDirectory);
            if (Directory.Exists(state) && File.Exists(Path.Combine(dir.FullName, "scripts", "demo.sh"))) return state;
        }
        return null;
    }
}

using System.CommandLine;

namespace Appliance.Host.Cli;

/// <summary>Options several verbs share, defined once.</summary>
internal static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = $"Configuration file (JSON), read after {Configuration.ConfigurationLayers.SystemFile}",
        HelpName = "FILE",
    };

    public static Option<string?> Socket() => new("--socket")
    {
        Description = "Control socket of the running appliance (default: RuntimeDirectory/appliance.sock; beside scripts/demo.sh, the demo's .state/run/appliance.sock)",
        HelpName = "PATH",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };
}

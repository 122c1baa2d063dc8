namespace Appliance.Host.Cli;

/// <summary>Exit codes of the <c>appliance</c> command (documented in docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>run</c>, a clean stop on SIGTERM or SIGINT.</summary>
    public const int Ok = 0;
    /// <summary>A run-time failure (a component failed, an I/O error).</summary>
    public const int Failure = 1;
    /// <summary>Bad usage or configuration: unknown option, invalid value, broken config file.</summary>
    public const int Usage = 2;
    /// <summary>The running appliance could not be reached (status, top, ack).</summary>
    public const int Unavailable = 3;
}

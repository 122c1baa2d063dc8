namespace Appliance.Host.Cli;

/// <summary>Writes clear error lines to stderr and returns the exit code, so every verb reports failures alike.</summary>
internal static class CliErrors
{
    public static int Report(string message, int exitCode)
    {
        Console.Error.WriteLine($"appliance: {message}");
        return exitCode;
    }

    /// <summary>Every configuration warning (a removed key), one line each; the verb goes on.</summary>
    public static void WarnConfiguration(IEnumerable<string> warnings)
    {
        foreach (var warning in warnings) Console.Error.WriteLine($"appliance: configuration: warning: {warning}");
    }

    /// <summary>Every configuration problem, one line each; exit code <see cref="ExitCodes.Usage"/>.</summary>
    public static int ReportConfiguration(IEnumerable<string> problems)
    {
        foreach (var problem in problems) Console.Error.WriteLine($"appliance: configuration: {problem}");
        return ExitCodes.Usage;
    }
}

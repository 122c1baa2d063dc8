namespace Appliance.Host.Cli;

/// <summary>Writes one clear error line to stderr and returns the exit code, so every verb reports failures alike.</summary>
internal static class CliErrors
{
    public static int Report(string message, int exitCode)
    {
        Console.Error.WriteLine($"appliance: {message}");
        return exitCode;
    }
}

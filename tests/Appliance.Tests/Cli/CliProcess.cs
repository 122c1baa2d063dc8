using System.Diagnostics;

namespace Appliance.Tests.Cli;

/// <summary>Runs the real <c>appliance</c> executable (the build next to the tests) as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string ApplianceDll => Path.Combine(AppContext.BaseDirectory, "appliance.dll");

    /// <summary>Starts the CLI. A null value in <paramref name="environment"/> removes that variable.</summary>
    public static Process Start(IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        start.ArgumentList.Add(ApplianceDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null) start.Environment.Remove(k);
            else start.Environment[k] = v;
        }
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    public static async Task<Result> RunAsync(params string[] args) => await RunAsync(args, null);

    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? environment, string? workingDirectory = null)
    {
        using var process = Start(args, environment, workingDirectory);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}

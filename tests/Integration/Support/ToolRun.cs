using System.Diagnostics;

namespace Appliance.Integration.Support;

/// <summary>Runs a command-line tool to completion, reading its output and errors together (neither pipe can fill up
/// and stall it), and kills it with its children when it overruns.</summary>
internal static class ToolRun
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}: {await error}");
        }
        return (p.ExitCode, await output, await error);
    }
}

using System.Diagnostics;

namespace Appliance.Bench.Harness;

/// <summary>A process the harness started; disposing kills it and everything it started.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Action<string>? _onLine;

    private ChildProcess(Process process, Action<string>? onLine)
    {
        _process = process;
        _onLine = onLine;
    }

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="file"/>; <paramref name="onLine"/> sees each line of its stdout (stderr is discarded
    /// unless <paramref name="onLine"/> is null, then both are inherited).</summary>
    public static ChildProcess Start(string file, IEnumerable<string> arguments, Action<string>? onLine = null,
        IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = onLine is not null,
            RedirectStandardError = onLine is not null,
            RedirectStandardInput = stdin is not null,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var child = new ChildProcess(process, onLine);
        if (onLine is not null)
        {
            process.OutputDataReceived += child.OnOutput;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        return child;
    }

    /// <summary>Runs <paramref name="file"/> to completion and returns its stdout; a non-zero exit is an error naming it.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}");
        }
        string output = await stdout.ConfigureAwait(false);
        string errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {errors.Trim()}");
        return output;
    }

    /// <summary>Waits for it to end by itself.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Kills it and its children.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null) _onLine!(e.Data);
    }
}

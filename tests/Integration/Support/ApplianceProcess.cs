using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Appliance.Integration.Support;

/// <summary>The real <c>appliance</c> executable as a child process: the JIT build next to the tests, or the
/// linux-arm64 NativeAOT binary under qemu-user.</summary>
internal sealed class ApplianceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApplianceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The JIT build of the appliance, copied next to the tests by the project reference.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "appliance.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ApplianceProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Launch("dotnet", [Dll, .. args], environment);

    /// <summary>The linux-arm64 NativeAOT binary under qemu-user. It finds the arm64 libraries that multiarch
    /// installed (/usr/lib/aarch64-linux-gnu) through the arm64 loader; no <c>-L</c> sysroot (qemu-user spins with it).</summary>
    public static ApplianceProcess StartArm64(string binary, IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Launch(QemuUser, [binary, .. args], environment);

    /// <summary>The qemu-user emulator that runs arm64 binaries here.</summary>
    public const string QemuUser = "qemu-aarch64-static";

    private static ApplianceProcess Launch(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return new ApplianceProcess(Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start"));
    }

    /// <summary>Sends a signal (TERM, KILL, ...) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

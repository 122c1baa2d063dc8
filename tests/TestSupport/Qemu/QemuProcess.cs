using System.Diagnostics;
using System.Net.Sockets;
using Appliance.TestSupport.Files;

namespace Appliance.TestSupport.Qemu;

/// <summary>A real <c>qemu-system-x86_64</c> with no guest, its QMP monitor on a unix socket in its own temp
/// directory. Killed on dispose. Fails with a clear message when QEMU is not installed.</summary>
public sealed class QemuProcess : IDisposable
{
    /// <summary>The QEMU binary this fixture starts.</summary>
    public const string Binary = "qemu-system-x86_64";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string[] _extraArgs;
    private readonly TempDirectory _dir;
    private readonly bool _ownsDir;
    private Process? _process;

    private QemuProcess(TempDirectory dir, bool ownsDir, string socketPath, string[] extraArgs)
    {
        _dir = dir;
        _ownsDir = ownsDir;
        SocketPath = socketPath;
        _extraArgs = extraArgs;
    }

    /// <summary>The QMP socket path.</summary>
    public string SocketPath { get; }

    /// <summary>The temp directory holding the socket and any images.</summary>
    public TempDirectory Directory => _dir;

    /// <summary>True while the QEMU process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts QEMU in a fresh temp directory and waits until its QMP socket accepts connections.</summary>
    /// <param name="extraArgs">Extra command-line arguments (drives, devices).</param>
    public static QemuProcess Start(params string[] extraArgs) => Start(new TempDirectory(), ownsDir: true, "qmp.sock", extraArgs);

    /// <summary>Starts QEMU with its socket in <paramref name="dir"/> (kept on dispose), named <paramref name="socketName"/>.</summary>
    public static QemuProcess Start(TempDirectory dir, bool ownsDir, string socketName, params string[] extraArgs)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var qemu = new QemuProcess(dir, ownsDir, dir.File(socketName), extraArgs);
        try
        {
            qemu.Launch();
            return qemu;
        }
        catch
        {
            qemu.Dispose();
            throw;
        }
    }

    /// <summary>Kills QEMU (as a crash would) and waits for it to exit; the socket file stays behind.</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(30_000);
        _process.Dispose();
        _process = null;
    }

    /// <summary>Kills QEMU and starts it again on the same socket path with the same arguments.</summary>
    public void Restart()
    {
        Kill();
        Launch();
    }

    /// <summary>Waits for QEMU to exit by itself (for example after <c>quit</c>); true when it did.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process is null || _process.WaitForExit(timeout);

    /// <summary>Creates a qcow2 image in the temp directory with <c>qemu-img</c> and returns its path.</summary>
    public static string CreateImage(TempDirectory dir, string name, string size = "64M", string? backingFile = null)
    {
        ArgumentNullException.ThrowIfNull(dir);
        string path = dir.File(name);
        var args = new List<string> { "create", "-q", "-f", "qcow2" };
        if (backingFile is not null) args.AddRange(["-b", backingFile, "-F", "qcow2"]);
        args.AddRange([path, size]);
        Run("qemu-img", args, "apt-get install qemu-utils");
        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kill();
        if (_ownsDir) _dir.Dispose();
    }

    private void Launch()
    {
        File.Delete(SocketPath);
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        foreach (string arg in (string[])["-machine", "q35,accel=kvm:tcg", "-nodefaults", "-display", "none",
                     "-qmp", $"unix:{SocketPath},server=on,wait=off"])
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (string arg in _extraArgs) psi.ArgumentList.Add(arg);
        try
        {
            _process = Process.Start(psi) ?? throw new InvalidOperationException($"{Binary} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{Binary} is needed for these tests but could not be started ({e.Message}): apt-get install qemu-system-x86", e);
        }
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitForSocket();
    }

    private void WaitForSocket()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"{Binary} exited with code {_process.ExitCode} before opening {SocketPath}");
            }
            if (File.Exists(SocketPath) && CanConnect()) return;
            Thread.Sleep(20); // Polling a child process's startup, not synchronizing code under test.
        }
        throw new TimeoutException($"{Binary} did not open {SocketPath} within {StartTimeout}");
    }

    private bool CanConnect()
    {
        // QEMU's socket file exists a moment before it listens; probing with a throwaway connection is harmless,
        // QMP serves the next client once this one closes.
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void Run(string file, IEnumerable<string> args, string installHint)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{file} is needed for these tests ({e.Message}): {installHint}", e);
        }
        using (process)
        {
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {error}");
        }
    }
}

using System.Diagnostics;

namespace Appliance.TestSupport.Qemu;

/// <summary>A real <c>qemu-system-x86_64</c> with no guest whose QMP monitor dials a unix socket the test listens on
/// (<c>-chardev socket,id=mon0,path=PATH,reconnect=2 -mon chardev=mon0,mode=control</c>), as in Proxmox's qmeventd
/// setup: QEMU starts whether or not anyone listens, and redials every 2 s. Killed on dispose.</summary>
public sealed class DialingQemu : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _errors = [];

    private DialingQemu(Process process) => _process = process;

    /// <summary>The exact arguments that make QEMU's monitor dial <paramref name="socketPath"/>.</summary>
    public static IReadOnlyList<string> MonitorArguments(string socketPath) =>
        ["-chardev", $"socket,id=mon0,path={socketPath},reconnect=2", "-mon", "chardev=mon0,mode=control"];

    /// <summary>The process id (what the appliance sees through SO_PEERCRED).</summary>
    public int Pid => _process.Id;

    /// <summary>True while QEMU runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>What QEMU wrote to stderr so far, for failure messages.</summary>
    public string Errors
    {
        get { lock (_errors) return string.Join('\n', _errors); }
    }

    /// <summary>Starts QEMU dialling <paramref name="socketPath"/>, with extra arguments such as <c>-name</c> or <c>-uuid</c>.</summary>
    public static DialingQemu Start(string socketPath, params string[] extraArgs)
    {
        var psi = new ProcessStartInfo(QemuProcess.Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-machine", "q35,accel=kvm:tcg", "-nodefaults", "-display", "none"]) psi.ArgumentList.Add(arg);
        foreach (string arg in MonitorArguments(socketPath)) psi.ArgumentList.Add(arg);
        foreach (string arg in extraArgs) psi.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{QemuProcess.Binary} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{QemuProcess.Binary} is needed for these tests but could not be started ({e.Message}): apt-get install qemu-system-x86", e);
        }
        var qemu = new DialingQemu(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (qemu._errors) if (qemu._errors.Count < 100) qemu._errors.Add(e.Data);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return qemu;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(30_000);
        _process.Dispose();
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration.Support;

/// <summary>Debian's arm64 kernel booted in <c>qemu-system-aarch64 -M virt,acpi=off</c> under TCG, with the base
/// initramfs and a second cpio archive holding a guest script as <c>/test/run.sh</c> (plus the files beside it).
/// The guest talks on the serial console: "@@ BEGIN/END name" sections, "@@ WAIT name" where it waits for the host
/// (which answers with <see cref="ContinueAsync"/>); the host drives that QEMU through its QMP socket.</summary>
internal sealed partial class Arm64Vm : IAsyncDisposable
{
    /// <summary>The PL061 GPIO controller of the virt machine: data (all eight lines) and direction registers.</summary>
    public const ulong Pl061Data = 0x0903_03fc, Pl061Direction = 0x0903_0400;

    public const string Binary = "qemu-system-aarch64";

    private readonly TempDirectory _dir;
    private readonly Process _process;
    private readonly List<string> _console = [];

    private Arm64Vm(TempDirectory dir, Process process)
    {
        _dir = dir;
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "qemu: " + e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string QmpSocket => _dir.File("qmp.sock");

    /// <summary>Everything the serial console printed so far.</summary>
    public string Console
    {
        get { lock (_console) return string.Join('\n', _console); }
    }

    /// <summary>Boots the kernel with the base initramfs and <paramref name="guestDirectory"/> as /test (its
    /// <paramref name="script"/> becoming /test/run.sh).</summary>
    public static async Task<Arm64Vm> BootAsync(Arm64Assets assets, string guestDirectory, string script)
    {
        var dir = new TempDirectory();
        string stage = dir.File("stage"), test = Path.Combine(stage, "test");
        Directory.CreateDirectory(test);
        foreach (var file in Directory.EnumerateFiles(guestDirectory)) File.Copy(file, Path.Combine(test, Path.GetFileName(file)));
        File.Copy(Path.Combine(guestDirectory, script), Path.Combine(test, "run.sh"));
        File.SetUnixFileMode(Path.Combine(test, "run.sh"), (UnixFileMode)0b111_101_101);
        string initrd = dir.File("initrd.cpio");
        File.Copy(assets.Initramfs, initrd);
        await AppendCpioAsync(stage, initrd);

        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in (string[])["-M", "virt,acpi=off", "-cpu", "cortex-a72", "-accel", "tcg", "-m", "512", "-smp", "1",
                     "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
                     "-qmp", $"unix:{dir.File("qmp.sock")},server=on,wait=off",
                     "-kernel", assets.Kernel, "-initrd", initrd, "-append", "console=ttyAMA0 panic=-1 quiet"])
        {
            start.ArgumentList.Add(arg);
        }
        return new Arm64Vm(dir, Process.Start(start) ?? throw new InvalidOperationException($"{Binary} did not start"));
    }

    /// <summary>Waits for a console line starting with "@@ " + <paramref name="marker"/>; the line's rest.</summary>
    public async Task<string> WaitForAsync(string marker, TimeSpan timeout)
    {
        string? found = null;
        await Eventually.TrueAsync(() =>
        {
            lock (_console) found = _console.FirstOrDefault(l => l.StartsWith("@@ " + marker, StringComparison.Ordinal));
            if (found is not null || !_process.HasExited) return found is not null;
            // Exited, but its last lines may still be on their way: WaitForExit() returns once the reader saw the end.
            _process.WaitForExit();
            lock (_console) found = _console.FirstOrDefault(l => l.StartsWith("@@ " + marker, StringComparison.Ordinal));
            return found is not null ? true : throw new InvalidOperationException($"the VM ended before '@@ {marker}':\n{Console}");
        }, $"'@@ {marker}' on the arm64 VM's console", timeout);
        return found![("@@ " + marker).Length..].Trim();
    }

    /// <summary>Lets a guest waiting at "@@ WAIT" go on.</summary>
    public async Task ContinueAsync()
    {
        await _process.StandardInput.WriteAsync("\n");
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The output of the section "@@ BEGIN name" .. "@@ END name rc=N" and its exit code.</summary>
    public (string Output, int ExitCode) Section(string name)
    {
        lock (_console)
        {
            int begin = _console.IndexOf("@@ BEGIN " + name);
            int end = _console.FindIndex(Math.Max(begin, 0), l => l.StartsWith($"@@ END {name} rc=", StringComparison.Ordinal));
            if (begin < 0 || end < 0) throw new InvalidOperationException($"no section '{name}' on the console:\n{Console}");
            var rc = int.Parse(EndRc().Match(_console[end]).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return (string.Join('\n', _console.Skip(begin + 1).Take(end - begin - 1)), rc);
        }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    private static async Task AppendCpioAsync(string stage, string archive)
    {
        // The kernel unpacks concatenated cpio archives in turn; the base one is padded to 4 bytes for this.
        var cpio = new ProcessStartInfo("sh", ["-c", "find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet >>\"$0\"", archive])
        {
            WorkingDirectory = stage, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(cpio)!;
        string error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"cpio failed: {error} (apt-get install cpio)");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_console) _console.Add(line.TrimEnd('\r'));
    }

    [GeneratedRegex(@"rc=(\d+)")]
    private static partial Regex EndRc();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _dir.Dispose();
    }
}

using Appliance.Emu.Machine;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Devices;

/// <summary><c>dump-guest-memory</c>: really writes a small ELF core file, then DUMP_COMPLETED with the result.</summary>
internal sealed class DumpModel(VirtualMachine vm)
{
    /// <summary>Bytes in the emulated core file: enough to prove the path is writable, small enough to be instant.</summary>
    public const int CoreBytes = 4096;
    public static readonly TimeSpan DetachedDuration = TimeSpan.FromMilliseconds(100);

    public DumpQueryResult Result { get; private set; } = new("none", 0, 0);
    public bool Active => Result.Status == "active";

    /// <summary>Starts a dump; a detached one finishes on a timer. Returns the error text of a synchronous failure.</summary>
    public string? Start(string path, bool detach)
    {
        Result = new DumpQueryResult("active", 0, CoreBytes);
        if (detach)
        {
            vm.Clock.After(DetachedDuration, () => Write(path));
            return null;
        }
        return Write(path);
    }

    private string? Write(string path)
    {
        string? error = null;
        try
        {
            var core = new byte[CoreBytes];
            "\u007fELF"u8.CopyTo(core);
            core[4] = 2; // ELFCLASS64
            core[5] = 1; // little endian
            core[6] = 1; // EV_CURRENT
            core[16] = 4; // ET_CORE
            File.WriteAllBytes(path, core);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"Could not open '{path}': {e.Message}";
        }
        Result = error is null ? new DumpQueryResult("completed", CoreBytes, CoreBytes) : new DumpQueryResult("failed", 0, CoreBytes);
        vm.Events.Emit(QmpEventNames.DumpCompleted, new DumpCompletedEvent(Result, error));
        return error;
    }
}

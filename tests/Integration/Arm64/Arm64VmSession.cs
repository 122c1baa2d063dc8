using Appliance.Integration.Support;
using Appliance.TestSupport.Files;

namespace Appliance.Integration.Arm64;

/// <summary>One boot of the arm64 VM running guest/gpio-checks.sh against the kernel's PL061 chip, once per driver; the host reads the
/// chip's registers through QEMU's monitor where the guest waits, and pulses the power button line (line 3) with
/// QMP <c>system_powerdown</c>. The tests then read what was recorded.</summary>
public sealed class Arm64VmSession : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);

    // The guest script's two passes over the same checks, by the prefix of their names: the chardev driver (board
    // qemu-virt), then System.Device.Gpio's libgpiod driver (board qemu-virt-libgpiod).
    private static readonly string[] Passes = ["", "libgpiod-"];
    private readonly Dictionary<string, (uint Data, uint Direction)> _registers = [];
    private Arm64Vm? _vm;

    /// <summary>PL061 data and direction registers as the host read them at each "@@ WAIT" of the guest.</summary>
    internal IReadOnlyDictionary<string, (uint Data, uint Direction)> Registers => _registers;

    internal Arm64Vm Vm => _vm ?? throw new InvalidOperationException("the arm64 VM did not boot");

    internal string KernelAbi { get; private set; } = "";

    internal string ExitLine { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Arm64Assets.MissingTool("clang", "aarch64-linux-gnu-readelf", Arm64Vm.Binary, "cpio") is not null) return; // the facts skip, saying why
        var assets = await Arm64Assets.GetAsync("vm");
        KernelAbi = assets.KernelAbi;
        _vm = await Arm64Vm.BootAsync(assets, RepoPaths.File("tests/Integration/Arm64/guest"), "gpio-checks.sh");
        await _vm.WaitForAsync("BOOTED", StepTimeout);
        await using var qmp = await QmpSession.ConnectAsync(_vm.QmpSocket);

        foreach (string point in Passes.SelectMany(pass => ((string[])["alarm-held", "relay-on", "panic-latched", "button", "acked"]).Select(p => pass + p)))
        {
            await _vm.WaitForAsync("WAIT " + point, StepTimeout);
            if (point.EndsWith("button", StringComparison.Ordinal)) await qmp.ExecuteAsync("system_powerdown"); // with acpi=off: a ~100 ms pulse on PL061 line 3
            else _registers[point] = (await qmp.ReadPhysicalWordAsync(Arm64Vm.Pl061Data), await qmp.ReadPhysicalWordAsync(Arm64Vm.Pl061Direction));
            await _vm.ContinueAsync();
        }
        ExitLine = await _vm.WaitForAsync("EXIT", StepTimeout);
        _vm.WaitForExit(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (_vm is not null) await _vm.DisposeAsync();
    }
}

using System.Collections.Frozen;

namespace Appliance.Emu.Commands;

/// <summary>Every command the emulator answers, shared by all VMs (handlers take the VM from their context).</summary>
internal static class CommandTable
{
    /// <summary>Handled by the monitor itself, listed here for query-commands.</summary>
    public const string Capabilities = "qmp_capabilities";

    private static readonly FrozenDictionary<string, CommandSpec> Specs =
        RunStateCommands.All
            .Concat(QueryCommands.All)
            .Concat(BlockCommands.All)
            .Concat(BlockJobCommands.All)
            .Concat(DeviceCommands.All)
            .Concat(MachineCommands.All)
            .Concat(GuestCommands.All)
            .ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>All command names, sorted, including qmp_capabilities.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Specs.Keys.Append(Capabilities).Order(StringComparer.Ordinal)];

    public static bool TryGet(string name, out CommandSpec spec) => Specs.TryGetValue(name, out spec!);
}

using Appliance.Emu.Machine;

namespace Appliance.Emu.Commands;

/// <summary>What a handler gets: the machine (its lock held) and the validated arguments.</summary>
internal readonly record struct CommandContext(VirtualMachine Vm, CommandArgs Args);

namespace Appliance.Emu.Commands;

/// <summary>A QMP command: its name, declared parameters and handler.</summary>
/// <param name="Name">The command name.</param>
/// <param name="Params">Declared parameters, in schema order (QEMU reports the first problem in this order).</param>
/// <param name="Handler">Runs with the machine lock held.</param>
/// <param name="AllowsExtra">Accepts undeclared parameters (device_add's device properties).</param>
internal sealed record CommandSpec(string Name, ParamSpec[] Params, Func<CommandContext, CommandResult> Handler, bool AllowsExtra = false);

namespace Appliance.Qmp.Messages;

/// <summary>A command as a QMP server receives it: <c>{"execute": NAME, "arguments": {...}, "id": ANY}</c>.</summary>
/// <param name="Command">The command name (<c>execute</c>, or <c>exec-oob</c> when <see cref="OutOfBand"/>).</param>
/// <param name="Arguments">The raw JSON of <c>arguments</c> (an object), or empty when absent.</param>
/// <param name="Id">The raw JSON of <c>id</c> (any JSON type), echoed back verbatim, or empty when absent.</param>
/// <param name="OutOfBand">True when the command came as <c>exec-oob</c>.</param>
public sealed record QmpRequest(string Command, ReadOnlyMemory<byte> Arguments, ReadOnlyMemory<byte> Id, bool OutOfBand = false);

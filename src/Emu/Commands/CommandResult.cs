using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Commands;

/// <summary>What a command handler decided: a return value or an error, and for <c>x-load</c> how many events follow.</summary>
internal readonly record struct CommandResult(
    QmpMessageWriter.ValueWriter? Value,
    string? ErrorClass,
    string? ErrorText,
    long LoadCount = 0)
{
    public static CommandResult Empty => default;

    public bool IsError => ErrorClass is not null;

    public static CommandResult Of(QmpMessageWriter.ValueWriter value) => new(value, null, null);

    public static CommandResult Error(string text) => new(null, QmpErrorClass.GenericError, text);

    public static CommandResult Error(string errorClass, string text) => new(null, errorClass, text);
}

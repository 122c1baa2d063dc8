using System.Buffers;
using System.Text.Json;
using Appliance.Emu.Machine;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Commands;

/// <summary>Validates a request against its command's parameters, runs the handler under the machine lock and writes
/// the reply, with QEMU's error classes and texts.</summary>
internal static class CommandDispatcher
{
    public static CommandResult Execute(VirtualMachine vm, QmpRequest request, IBufferWriter<byte> output)
    {
        var id = request.Id.Span;
        if (!CommandTable.TryGet(request.Command, out var spec))
        {
            QmpMessageWriter.WriteError(output, QmpErrorClass.CommandNotFound, $"The command {request.Command} has not been found", id);
            return default;
        }
        JsonDocument? document = null;
        try
        {
            JsonElement args = default;
            if (!request.Arguments.IsEmpty)
            {
                document = JsonDocument.Parse(request.Arguments, QmpJsonLimits.DocumentOptions);
                args = document.RootElement;
            }
            if (CommandArgs.Validate(args, spec) is { } invalid)
            {
                QmpMessageWriter.WriteError(output, QmpErrorClass.GenericError, invalid, id);
                return default;
            }
            lock (vm.Gate)
            {
                var result = spec.Handler(new CommandContext(vm, new CommandArgs(args)));
                if (result.IsError) QmpMessageWriter.WriteError(output, result.ErrorClass!, result.ErrorText ?? "", id);
                else QmpMessageWriter.WriteReturn(output, result.Value, id);
                return result;
            }
        }
        finally
        {
            document?.Dispose();
        }
    }
}

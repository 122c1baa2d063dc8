using System.Buffers;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Mqtt.Commands;

/// <summary>QMP-shaped reply payloads (<c>{"return": ...}</c> / <c>{"error": {"class","desc"}}</c>), without the line ending.</summary>
internal static class CommandReplies
{
    public static byte[] Error(string errorClass, string description, ReadOnlySpan<byte> id)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        QmpMessageWriter.WriteError(buffer, errorClass, description, id);
        return WithoutLineEnd(buffer);
    }

    public static byte[] Return(ReadOnlyMemory<byte> value, ReadOnlySpan<byte> id)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + value.Length);
        QmpMessageWriter.WriteReturn(buffer, value.IsEmpty ? null : w => w.WriteRawValue(value.Span, skipInputValidation: true), id);
        return WithoutLineEnd(buffer);
    }

    public static byte[] From(QmpResponse response, ReadOnlySpan<byte> id) => response switch
    {
        QmpReturn ok => Return(ok.Value, id),
        QmpErrorResponse failed => Error(failed.ErrorClass, failed.Description, id),
        _ => Error(QmpErrorClass.GenericError, "unexpected reply from the monitor", id),
    };

    private static byte[] WithoutLineEnd(ArrayBufferWriter<byte> buffer) => buffer.WrittenSpan.TrimEnd("\r\n"u8).ToArray();
}

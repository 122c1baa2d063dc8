namespace Appliance.Qmp.Messages;

/// <summary>A reply to a command: either <see cref="QmpReturn"/> or <see cref="QmpErrorResponse"/>.</summary>
public abstract class QmpResponse : QmpMessage
{
    private protected QmpResponse(ReadOnlyMemory<byte> id, ReadOnlyMemory<byte> raw) : base(raw) => Id = id;

    /// <summary>The raw JSON of the <c>id</c> member echoed by the server, or empty when absent.</summary>
    public ReadOnlyMemory<byte> Id { get; }

    /// <summary>True when the response carries an <c>id</c>.</summary>
    public bool HasId => !Id.IsEmpty;
}

/// <summary>A successful reply: <c>{"return": ..., "id": ...}</c>.</summary>
public sealed class QmpReturn : QmpResponse
{
    /// <summary>Creates a successful reply.</summary>
    public QmpReturn(ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> id, ReadOnlyMemory<byte> raw) : base(id, raw) => Value = value;

    /// <summary>The raw JSON of the <c>return</c> member.</summary>
    public ReadOnlyMemory<byte> Value { get; }
}

/// <summary>A failed reply: <c>{"error": {"class": ..., "desc": ...}, "id": ...}</c>.</summary>
public sealed class QmpErrorResponse : QmpResponse
{
    /// <summary>Creates a failed reply.</summary>
    public QmpErrorResponse(string errorClass, string description, ReadOnlyMemory<byte> id, ReadOnlyMemory<byte> raw) : base(id, raw)
    {
        ErrorClass = errorClass;
        Description = description;
    }

    /// <summary>The error class, for example <c>GenericError</c> (see <see cref="QmpErrorClass"/>).</summary>
    public string ErrorClass { get; }

    /// <summary>The human-readable description.</summary>
    public string Description { get; }
}

/// <summary>The error classes QEMU uses in <c>error.class</c>.</summary>
public static class QmpErrorClass
{
    /// <summary>Any error without a more specific class.</summary>
    public const string GenericError = "GenericError";
    /// <summary>The command does not exist, or is not allowed in the current mode.</summary>
    public const string CommandNotFound = "CommandNotFound";
    /// <summary>A device exists but is not active.</summary>
    public const string DeviceNotActive = "DeviceNotActive";
    /// <summary>The named device does not exist.</summary>
    public const string DeviceNotFound = "DeviceNotFound";
    /// <summary>KVM lacks a required capability.</summary>
    public const string KvmMissingCap = "KVMMissingCap";
}

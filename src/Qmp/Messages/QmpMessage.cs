namespace Appliance.Qmp.Messages;

/// <summary>A message a QMP server sends: a greeting, a command response or an asynchronous event.</summary>
/// <remarks>Every message keeps the exact UTF-8 line it was parsed from in <see cref="Raw"/>, so nothing is lost
/// when a peer sends members this library does not know.</remarks>
public abstract class QmpMessage
{
    private protected QmpMessage(ReadOnlyMemory<byte> raw) => Raw = raw;

    /// <summary>The message exactly as received, without the line terminator.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>The message as received, decoded as UTF-8 text.</summary>
    public string RawText => System.Text.Encoding.UTF8.GetString(Raw.Span);
}

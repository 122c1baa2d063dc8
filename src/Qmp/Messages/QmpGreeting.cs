namespace Appliance.Qmp.Messages;

/// <summary>The greeting a QMP server sends when a client connects.</summary>
public sealed class QmpGreeting : QmpMessage
{
    /// <summary>Creates a greeting.</summary>
    public QmpGreeting(QmpVersion version, IReadOnlyList<string> capabilities, ReadOnlyMemory<byte> raw = default) : base(raw)
    {
        Version = version;
        Capabilities = capabilities;
    }

    /// <summary>The server's version.</summary>
    public QmpVersion Version { get; }

    /// <summary>The capabilities the server offers (for example <c>oob</c>).</summary>
    public IReadOnlyList<string> Capabilities { get; }
}

/// <summary>A QEMU version as reported in the greeting and by <c>query-version</c>.</summary>
public sealed record QmpVersion(int Major, int Minor, int Micro, string Package)
{
    /// <inheritdoc />
    public override string ToString() => $"{Major}.{Minor}.{Micro}{Package}";
}

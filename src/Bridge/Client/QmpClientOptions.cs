namespace Appliance.Bridge.Client;

/// <summary>Limits of one QMP connection. <see cref="MonitorOptions"/> fills these from configuration.</summary>
public sealed record QmpClientOptions
{
    /// <summary>Most commands on the wire at once; further callers wait. QEMU queues at most 8 per monitor.</summary>
    public const int MaxCommandsInFlight = 8;

    /// <summary>Time allowed to open the socket.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for the greeting after the socket opened.</summary>
    public TimeSpan GreetingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for the answer to <c>qmp_capabilities</c>.</summary>
    public TimeSpan NegotiationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default time allowed for a command, waiting for a free slot included.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most bytes of one message from the monitor (the name is historical: messages may span lines); a larger
    /// one costs a reconnect, so the client never holds more than this plus one read.</summary>
    public int MaxLineBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Enable out-of-band execution when the server offers it. Off by default.</summary>
    public bool EnableOob { get; init; }

    /// <summary>Events read but not yet taken by the consumer; when full the reader stops reading the socket.</summary>
    public int EventQueueCapacity { get; init; } = 4096;
}

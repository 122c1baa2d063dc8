namespace Appliance.Qmp.Streaming;

/// <summary>What one JSON value read from a peer may cost. The defaults are QEMU's own (qobject/json-streamer.c):
/// a client that exceeds one gets QEMU's error and the parser starts over, so no peer can make it hold more.</summary>
/// <param name="MaxMessageBytes">Most bytes held for one value or one token still being read (QEMU: 64 MiB).</param>
/// <param name="MaxNesting">Deepest nesting of objects and arrays together (QEMU: 1024).</param>
/// <param name="MaxTokens">Most tokens in one value (QEMU: 2 Mi).</param>
public readonly record struct QmpStreamLimits(int MaxMessageBytes, int MaxNesting, int MaxTokens)
{
    /// <summary>QEMU's limits: 64 MiB, depth 1024, 2 Mi tokens.</summary>
    public static QmpStreamLimits Qemu => new(64 << 20, 1024, 2 << 20);

    /// <summary>QEMU's nesting and token limits with a smaller byte budget.</summary>
    public static QmpStreamLimits WithMaxMessageBytes(int maxMessageBytes) => Qemu with { MaxMessageBytes = maxMessageBytes };
}

namespace Appliance.Qmp.Codec;

/// <summary>Limits applied to every JSON text read from a peer, so hostile input costs bounded work.</summary>
public static class QmpJsonLimits
{
    /// <summary>Deepest nesting accepted in one message. QEMU's own parser stops at 1024; real messages stay far below 64.</summary>
    public const int MaxDepth = 64;

    /// <summary>Reader options with <see cref="MaxDepth"/> and strict JSON (no comments, no trailing commas).</summary>
    public static System.Text.Json.JsonReaderOptions ReaderOptions => new() { MaxDepth = MaxDepth };

    /// <summary>Document options matching <see cref="ReaderOptions"/>.</summary>
    public static System.Text.Json.JsonDocumentOptions DocumentOptions => new() { MaxDepth = MaxDepth };
}

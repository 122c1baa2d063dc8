namespace Appliance.Qmp.Streaming;

/// <summary>What <see cref="QmpJsonStream"/> produced: one complete JSON value, one error, or the end of input.</summary>
/// <param name="Kind">Which of the three.</param>
/// <param name="Bytes">For <see cref="QmpFrameKind.Value"/>: the value's bytes as they arrived (a fresh array the
/// caller may keep); empty otherwise.</param>
/// <param name="Error">For <see cref="QmpFrameKind.Error"/>: QEMU's text, e.g. <c>JSON parse error, stray '\xFF'</c>.</param>
/// <param name="LimitExceeded">True when the error is one of the size, token-count or nesting limits.</param>
public readonly record struct QmpStreamFrame(QmpFrameKind Kind, byte[] Bytes, string? Error = null, bool LimitExceeded = false)
{
    /// <summary>The end of the input.</summary>
    public static QmpStreamFrame EndOfStream => new(QmpFrameKind.EndOfStream, []);
}

/// <summary>The kinds of <see cref="QmpStreamFrame"/>.</summary>
public enum QmpFrameKind
{
    /// <summary>A complete JSON value (not yet checked against JSON's grammar: see <see cref="QemuJsonParser"/>).</summary>
    Value,
    /// <summary>Bad input: the parser reset itself, as QEMU's does, and goes on with what follows.</summary>
    Error,
    /// <summary>The peer closed the stream; a value still incomplete is dropped, as QEMU drops it.</summary>
    EndOfStream,
}

namespace Appliance.Qmp.Codec;

/// <summary>A peer sent bytes that are not a valid QMP message. The message says what was wrong.</summary>
public sealed class QmpProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QmpProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception with the underlying cause.</summary>
    public QmpProtocolException(string message, Exception inner) : base(message, inner) { }
}

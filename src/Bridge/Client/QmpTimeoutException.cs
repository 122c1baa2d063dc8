namespace Appliance.Bridge.Client;

/// <summary>A monitor did not answer within the time allowed for <see cref="Phase"/>.</summary>
public sealed class QmpTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public QmpTimeoutException(QmpPhase phase, string message) : base(message) => Phase = phase;

    /// <summary>Which step ran out of time.</summary>
    public QmpPhase Phase { get; }
}

/// <summary>The steps of talking to a QMP monitor, each with its own timeout.</summary>
public enum QmpPhase
{
    /// <summary>Opening the socket.</summary>
    Connect,
    /// <summary>Waiting for the server's greeting.</summary>
    Greeting,
    /// <summary>Waiting for the answer to <c>qmp_capabilities</c>.</summary>
    Negotiation,
    /// <summary>Waiting for the answer to a command.</summary>
    Command,
}

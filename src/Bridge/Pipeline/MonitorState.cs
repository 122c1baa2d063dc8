namespace Appliance.Bridge.Pipeline;

/// <summary>The connection state of one VM's QMP monitor, as qemu.qmp names them.</summary>
public enum MonitorState
{
    /// <summary>Not started.</summary>
    Idle,
    /// <summary>Opening the socket.</summary>
    Connecting,
    /// <summary>Waiting for the greeting or the answer to <c>qmp_capabilities</c>.</summary>
    Negotiating,
    /// <summary>Negotiated; events flow.</summary>
    Running,
    /// <summary>Connected, but the periodic stall check went unanswered in time.</summary>
    Stalled,
    /// <summary>Lost or closed; a reconnect is scheduled unless the appliance is stopping.</summary>
    Disconnected,
    /// <summary>Connected and reading, but the journal (a lossless sink) is behind: events wait in memory up to a bound,
    /// nothing is reconnected, and the stall check keeps running on replies that still arrive.</summary>
    Backpressured,
}

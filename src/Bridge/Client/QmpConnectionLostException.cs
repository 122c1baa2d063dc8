namespace Appliance.Bridge.Client;

/// <summary>The monitor connection is gone (closed, broken, or never up): every pending and later call on it fails with this.</summary>
/// <remarks>Derives from <see cref="InvalidOperationException"/> because, for a caller, it means "the monitor is not connected".</remarks>
public sealed class QmpConnectionLostException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public QmpConnectionLostException(string message) : base(message) { }

    /// <summary>Creates the exception with the underlying cause.</summary>
    public QmpConnectionLostException(string message, Exception? inner) : base(message, inner) { }
}

using System.Runtime.InteropServices;

namespace Appliance.Host.Cli;

/// <summary>Turns SIGTERM and SIGINT into a cancellation for a verb that holds hardware (<c>gpio set</c>, <c>gpio test</c>):
/// the verb then puts its lines back in their safe state and exits 0, instead of the runtime ending the process with the
/// lines still driven.</summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _int;

    /// <summary>Starts handling the signals; <see cref="Token"/> is also cancelled with <paramref name="cancellationToken"/>.</summary>
    public TerminationSignals(CancellationToken cancellationToken)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>Cancelled on SIGTERM, SIGINT, or the caller's token.</summary>
    public CancellationToken Token => _cancel.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the verb ends by itself, once its lines are safe
        _cancel.Cancel();
    }

    public void Dispose()
    {
        _term.Dispose();
        _int.Dispose();
        _cancel.Dispose();
    }
}

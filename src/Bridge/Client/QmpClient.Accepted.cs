using System.Net.Sockets;
using Appliance.Qmp;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Client;

public sealed partial class QmpClient
{
    private Socket? _accepted;

    /// <summary>A client for a monitor that connected to the appliance (QEMU started with a <c>-chardev socket</c> that
    /// dials, <c>reconnect=N</c>): <see cref="OpenAsync"/> takes over <paramref name="socket"/> instead of dialling.</summary>
    /// <param name="socket">The accepted, connected socket; the client owns it from now on.</param>
    /// <param name="listener">The endpoint the appliance listened on, for logs and errors.</param>
    /// <param name="options">Timeouts and limits.</param>
    /// <param name="timeProvider">Clock for every timeout.</param>
    /// <param name="logger">Diagnostics.</param>
    /// <param name="name">Names the monitor in logs.</param>
    public static QmpClient ForAcceptedSocket(Socket socket, QmpEndpoint listener, QmpClientOptions? options = null,
        TimeProvider? timeProvider = null, ILogger? logger = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return new QmpClient(listener, options, timeProvider, logger, name: name) { _accepted = socket };
    }

    /// <summary>Counts into <paramref name="counters"/> from now on: a dialled-in monitor's VM is known only after
    /// negotiation, and its counters span its connections.</summary>
    internal void ReportTo(MonitorCounters counters) => Counters = counters;

    private Socket? TakeAcceptedSocket() => Interlocked.Exchange(ref _accepted, null);
}

using Appliance.Qmp;
using System.Net;
using System.Net.Sockets;
using Appliance.Emu.Display;
using Appliance.Emu.Guest;
using Appliance.Emu.Machine;
using Appliance.Emu.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Emu;

/// <summary>One emulated QEMU VM: QMP monitors on its endpoints, an optional VNC listener, a guest model driven by an
/// optional scenario. Costs no thread and no timer while idle.</summary>
public sealed class EmulatedVm : IAsyncDisposable
{
    /// <summary>How long an exiting VM waits for its monitors to take their last output (real time: it is socket I/O).</summary>
    private static readonly TimeSpan ExitFlushTimeout = TimeSpan.FromSeconds(5);

    private readonly EmulatedVmOptions _options;
    private readonly VirtualMachine _vm;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _dialing = new(); // stops when the VM exits: QEMU dials nobody after it
    private readonly List<SocketListener> _listeners = [];
    private readonly HashSet<QmpSession> _sessions = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private VncServer? _vnc;
    private int _started;
    private int _disposed;

    /// <summary>Creates the VM (nothing listens until <see cref="StartAsync"/>).</summary>
    /// <param name="options">The VM's configuration, already checked (<see cref="EmulatedVmOptions.Problems"/>).</param>
    /// <param name="timeProvider">The clock for event timestamps and all guest and device timing; defaults to the system clock.</param>
    /// <param name="loggerFactory">Logging; defaults to none.</param>
    public EmulatedVm(EmulatedVmOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Appliance.Emu." + options.Name);
        _time = timeProvider ?? TimeProvider.System;
        _vm = new VirtualMachine(options, _time, _logger);
        _vm.Exited += OnExited;
    }

    /// <summary>The VM name.</summary>
    public string Name => _options.Name;

    /// <summary>The QEMU run status (<c>prelaunch</c>, <c>running</c>, <c>paused</c>, ...).</summary>
    public string Status
    {
        get { lock (_vm.Gate) return _vm.Status; }
    }

    /// <summary>The bound QMP end points, in the order configured (TCP port 0 resolved to the real port).</summary>
    public IReadOnlyList<EndPoint> QmpEndPoints => [.. _listeners.Select(l => l.LocalEndPoint)];

    /// <summary>The VNC TCP port once listening, else null.</summary>
    public int? VncPort => _vnc?.Port;

    /// <summary>Completes when the VM is gone (<c>quit</c>, or a shutdown without <see cref="EmulatedVmOptions.NoShutdown"/>).</summary>
    public Task Exited => _exited.Task;

    /// <summary>Binds the QMP endpoints and the VNC listener, loads the scenario and starts the guest.</summary>
    /// <exception cref="SocketException">An endpoint cannot be bound.</exception>
    /// <exception cref="ScenarioException">The scenario file is invalid; the message says where.</exception>
    /// <exception cref="IOException">A unix socket path is in use by a live server.</exception>
    /// <exception cref="InvalidOperationException">The VM was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException($"emulated VM {Name} is already started");
        var scenario = _options.ScenarioPath is { } path
            ? await ScenarioLoader.LoadAsync(path, cancellationToken).ConfigureAwait(false)
            : null;
        foreach (var endpoint in _options.QmpEndpoints)
        {
            var listener = SocketListener.Bind(endpoint, _logger);
            _listeners.Add(listener);
            _ = listener.AcceptLoopAsync(OnAccepted, _stopping.Token);
        }
        foreach (var endpoint in _options.QmpConnect)
        {
            _ = new MonitorDialer(endpoint, _options.ReconnectDelay, _time, _logger).RunAsync(ServeDialledAsync, _dialing.Token);
        }
        if (_options.VncEnabled)
        {
            _vnc = VncServer.Start(_vm, _options.VncPort, _options.VncPassword, _logger, _stopping.Token);
        }
        if (scenario is not null)
        {
            lock (_vm.Gate) new ScenarioRunner(_vm, scenario, _options.ScenarioSpeed).Start();
        }
        _logger.LogInformation("emulated VM {Name} (QEMU {Version}) listening on [{Endpoints}], dialling [{Clients}]", Name,
            _options.Persona.Name, string.Join(", ", _options.QmpEndpoints), string.Join(", ", _options.QmpConnect));
    }

    private void OnAccepted(Socket socket) => _ = StartSession(socket);

    /// <summary>A monitor that dialled its client: served like an accepted one; the dialler waits for it to end.</summary>
    private Task ServeDialledAsync(Socket socket) => StartSession(socket);

    private Task StartSession(Socket socket)
    {
        QmpSession session;
        lock (_sessions)
        {
            if (_vm.HasExited || _sessions.Count >= _options.MaxMonitors)
            {
                _logger.LogWarning("QMP connection refused: VM exited or {Max} monitors already connected", _options.MaxMonitors);
                socket.Dispose();
                return Task.CompletedTask;
            }
            session = new QmpSession(socket, _vm, _logger);
            _sessions.Add(session);
        }
        return RunSessionAsync(session);
    }

    private async Task RunSessionAsync(QmpSession session)
    {
        try
        {
            await session.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogWarning(e, "QMP monitor failed");
        }
        finally
        {
            lock (_sessions) _sessions.Remove(session);
        }
    }

    private void OnExited() => _ = Task.Run(CloseAfterExitAsync);

    private async Task CloseAfterExitAsync()
    {
        // Runs once the command or timer that ended the VM has released the lock and queued its last output.
        Task[] closing;
        lock (_vm.Gate)
        {
            foreach (var l in _listeners) l.Dispose();
            _dialing.Cancel();
            _vnc?.Stop();
            lock (_sessions)
            {
                foreach (var s in _sessions) s.CloseAfterFlush();
                closing = [.. _sessions.Select(s => s.Closed)];
            }
        }
        // Like QEMU, the last words (quit's reply, SHUTDOWN) reach every monitor before the VM counts as gone: whoever
        // awaits Exited may end the process next. A monitor that stops reading is not waited for past the bound.
        try
        {
            await Task.WhenAll(closing).WaitAsync(ExitFlushTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("QMP monitors still had output unsent {Seconds} s after the VM exited; closing them", ExitFlushTimeout.TotalSeconds);
        }
        _exited.TrySetResult();
    }

    /// <summary>Stops listening, drops every connection and stops all timers.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return ValueTask.CompletedTask;
        _stopping.Cancel();
        _dialing.Cancel();
        lock (_vm.Gate) _vm.Clock.StopAll();
        foreach (var l in _listeners) l.Dispose();
        _vnc?.Stop();
        lock (_sessions)
        {
            foreach (var s in _sessions) s.Abort();
        }
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }
}

using Appliance.Qmp;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Client;

/// <summary>Owns one <see cref="MonitorSupervisor"/> per VM: the configured ones, plus one per socket matching the
/// glob, started when a socket appears and stopped when it vanishes, plus one per VM whose QEMU dials in
/// (<see cref="MonitorOptions.Listen"/>). Executes commands for MQTT and the CLI.</summary>
public sealed class MonitorRegistry : BackgroundService, IVmCommandGateway
{
    private readonly MonitorOptions _options;
    private readonly EventHub _hub;
    private readonly VmStatusBoard _board;
    private readonly CriticalEventClassifier _classifier;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly MonitorGlob? _glob;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunningSupervisor> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dialIns = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _crashed = new(StringComparer.Ordinal);

    /// <summary>Creates the registry; supervisors start when the host starts this service.</summary>
    /// <remarks>The options arrive validated (<see cref="MonitorOptions.Problems"/>, run once by the host's options validation).</remarks>
    public MonitorRegistry(MonitorOptions options, EventHub hub, VmStatusBoard board, CriticalEventClassifier classifier,
        TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(classifier);
        // The options arrive validated (IValidateOptions at host start); the registry trusts them.
        _options = options;
        _hub = hub;
        _board = board;
        _classifier = classifier;
        _time = timeProvider ?? TimeProvider.System;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("Appliance.Bridge.Client.MonitorRegistry");
        _glob = options.Glob is null ? null : MonitorGlob.Parse(options.Glob);
        // Configured VMs exist from the start, so the gateway knows their names before they connect.
        foreach (var vm in options.Vms) Add(vm.Name, QmpEndpoint.Parse(vm.Endpoint));
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> VmNames
    {
        get { lock (_gate) return [.. _running.Keys.Order(StringComparer.Ordinal)]; }
    }

    /// <summary>VMs whose supervisor ended with an unexpected exception (a bug), with its message: nothing watches them.</summary>
    public IReadOnlyDictionary<string, string> CrashedSupervisors => _crashed;

    /// <summary>The supervisor of a VM, or null when there is none now.</summary>
    public MonitorSupervisor? Find(string vm)
    {
        lock (_gate) return _running.TryGetValue(vm, out var r) ? r.Supervisor : null;
    }

    /// <inheritdoc />
    /// <exception cref="QmpConnectionLostException">The monitor is not connected (an <see cref="InvalidOperationException"/>).</exception>
    /// <exception cref="QmpTimeoutException">No reply within the command timeout.</exception>
    public Task<QmpResponse> ExecuteAsync(string vm, string command, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        return Find(vm) is { } supervisor
            ? supervisor.ExecuteAsync(command, arguments, cancellationToken)
            : Task.FromException<QmpResponse>(new KeyNotFoundException($"no monitored VM named '{vm}'"));
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lock (_gate)
        {
            foreach (var entry in _running.Values) entry.Start(RunSupervisorAsync, stoppingToken);
        }
        var listening = _options.Listen.Count == 0 ? Task.CompletedTask : new DialIn.DialInListener(
            [.. _options.Listen.Select(QmpEndpoint.Parse)], _options, DialInSupervisor, _time,
            _loggers.CreateLogger("Appliance.Bridge.Client.DialInListener")).RunAsync(stoppingToken);
        var watching = _glob is not null
            ? WatchGlobAsync(_glob, stoppingToken)
            : Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken);
        try
        {
            // A listen socket that cannot be bound ends the service at once, naming it; otherwise both run until stopped.
            await (await Task.WhenAny(watching, listening).ConfigureAwait(false)).ConfigureAwait(false);
            await Task.WhenAll(watching, listening).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: fall through and wait for every supervisor to finish.
        }
        // The listener removes its socket file on the way out: done before a next start can bind the same path.
        await listening.ConfigureAwait(false);
        Task[] all;
        lock (_gate) all = [.. _running.Values.Select(r => r.Run)];
        await Task.WhenAll(all).ConfigureAwait(false);
    }

    /// <summary>Rescans the glob now and then: starts supervisors for new sockets, stops those whose socket vanished.</summary>
    private async Task WatchGlobAsync(MonitorGlob glob, CancellationToken stoppingToken)
    {
        var explicitNames = _options.Vms.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var fromGlob = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var found = glob.Scan();
            foreach (var (name, path) in found)
            {
                if (explicitNames.Contains(name) || !fromGlob.Add(name)) continue;
                _logger.LogInformation("monitor socket {Path} appeared: watching VM {Vm}", path, name);
                var entry = Add(name, QmpEndpoint.Unix(path));
                lock (_gate) entry.Start(RunSupervisorAsync, stoppingToken);
            }
            foreach (string name in fromGlob.Where(n => !found.ContainsKey(n)).ToList())
            {
                _logger.LogInformation("monitor socket of VM {Vm} vanished: no longer watching it", name);
                fromGlob.Remove(name);
                await StopAsync(name).ConfigureAwait(false);
            }
            await Task.Delay(_options.GlobRescanInterval, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>The supervisor of a VM whose QEMU dialled in, created on its first connection; null when the name
    /// belongs to a monitor the appliance dials, or when <see cref="MonitorOptions.MaxDialIns"/> dialled-in VMs are
    /// remembered and none of them is disconnected (the oldest disconnected one is forgotten to make room).</summary>
    internal MonitorSupervisor? DialInSupervisor(string vm, QmpEndpoint listener)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(vm, out var existing)) return _dialIns.Contains(vm) ? existing.Supervisor : null;
            if (_dialIns.Count >= _options.MaxDialIns)
            {
                string? idle = _dialIns.FirstOrDefault(n => _running[n].Supervisor.State == MonitorState.Disconnected);
                if (idle is null) return null;
                _dialIns.Remove(idle);
                _running.Remove(idle);
                _board.Remove(idle);
            }
            _dialIns.Add(vm);
            return Add(vm, listener).Supervisor;
        }
    }

    private RunningSupervisor Add(string vm, QmpEndpoint endpoint)
    {
        var supervisor = new MonitorSupervisor(vm, endpoint, _options, _hub, _board, _classifier, _time,
            _loggers.CreateLogger("Appliance.Bridge.Client.MonitorSupervisor"));
        var entry = new RunningSupervisor(supervisor);
        lock (_gate) _running[vm] = entry;
        return entry;
    }

    private async Task RunSupervisorAsync(MonitorSupervisor supervisor, CancellationToken cancellationToken)
    {
        try
        {
            await supervisor.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug in one VM's supervision must not take the others (or the process) down.
            _logger.LogError(e, "VM {Vm}: monitor supervisor failed", supervisor.Vm);
            _crashed[supervisor.Vm] = e.Message;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task StopAsync(string vm)
    {
        RunningSupervisor? running;
        lock (_gate)
        {
            if (!_running.Remove(vm, out running)) return;
        }
        await running.StopAsync().ConfigureAwait(false);
        _board.Remove(vm);
    }

    /// <summary>A supervisor and, once started, the task running it and the means to stop it alone.</summary>
    private sealed class RunningSupervisor(MonitorSupervisor supervisor)
    {
        private CancellationTokenSource? _stop;

        public MonitorSupervisor Supervisor { get; } = supervisor;

        public Task Run { get; private set; } = Task.CompletedTask;

        public void Start(Func<MonitorSupervisor, CancellationToken, Task> run, CancellationToken stoppingToken)
        {
            if (_stop is not null) return;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var token = _stop.Token;
            Run = Task.Run(() => run(Supervisor, token), CancellationToken.None);
        }

        public async Task StopAsync()
        {
            if (_stop is null) return;
            await _stop.CancelAsync().ConfigureAwait(false);
            await Run.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}

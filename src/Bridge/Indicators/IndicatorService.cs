using System.Device.Gpio;
using System.Threading.Channels;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Indicators;

/// <summary>Drives the GPIO indicators from the event stream: lines go to their safe state at start, latched alarms
/// are replayed from the journal, then every event from a never-waiting hub subscription is applied as it comes;
/// on a clean stop every line goes back to its safe state.</summary>
public sealed class IndicatorService : BackgroundService, IAlarmAcknowledger
{
    private readonly IndicatorOptions _options;
    private readonly BoardProfile _board;
    private readonly GpioControllerFactory _openGpio;
    private readonly EventHub _hub;
    private readonly EventSubscription _subscription;
    private readonly VmStatusBoard _status;
    private readonly TimeProvider _time;
    private readonly ILogger<IndicatorService> _logger;
    private readonly IJournalReader? _journal;
    private readonly CriticalEventClassifier _critical;
    private readonly IHealthSignal? _health;
    private IndicatorEngine? _engine;
    private GpioController? _gpio;
    private GpioInputLine? _button;
    private HeartbeatOutput? _heartbeat;
    private long _applied;

    /// <summary>Creates the service and its never-waiting hub subscription (<c>indicators</c>,
    /// <see cref="EventDelivery.DropOldest"/>); nothing touches the hardware until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Indicators and rules; validated at start.</param>
    /// <param name="hardware">The board the pin names refer to and how to open its lines.</param>
    /// <param name="hub">Where events come from, and where acknowledgements are published (so they are journaled).</param>
    /// <param name="statusBoard">Receives latched alarms; a VM removed from it is forgotten.</param>
    /// <param name="timeProvider">Time for blinking, pulses and the heartbeat.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="journal">When given, latched alarms are replayed from it at start.</param>
    /// <param name="health">Stops the heartbeat output while Unhealthy; without it the heartbeat always toggles.</param>
    /// <param name="criticalEvents">The criticality policy the monitors stamp events with, so the replay asks the
    /// journal for every event that may have been critical; the built-in policy when null.</param>
    public IndicatorService(IndicatorOptions options, IndicatorHardware hardware, EventHub hub, VmStatusBoard statusBoard, TimeProvider timeProvider,
        ILogger<IndicatorService> logger, IJournalReader? journal = null, IHealthSignal? health = null, CriticalEventClassifier? criticalEvents = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(hardware);
        _board = hardware.Board;
        _openGpio = hardware.OpenGpio;
        _hub = hub ?? throw new ArgumentNullException(nameof(hub));
        _status = statusBoard ?? throw new ArgumentNullException(nameof(statusBoard));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _journal = journal;
        _health = health;
        _critical = criticalEvents ?? new CriticalEventClassifier();
        // The indicators must never slow the pipeline: they drop their oldest events rather than make publishers wait.
        _subscription = hub.Subscribe("indicators", EventDelivery.DropOldest);
    }

    /// <summary>What every indicator shows now, with a change notification.</summary>
    public IndicatorBoard Indicators { get; } = new();

    /// <summary>Events applied so far.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Events the indicators dropped because they fell behind (should stay 0).</summary>
    public long Dropped => _subscription.Dropped;

    /// <summary>Requests every line at its safe state (a busy, missing or doubly used line fails here, naming the pin
    /// and its holder), replays latched alarms, then starts following events.</summary>
    /// <exception cref="IndicatorConfigurationException">The configuration or a pin name is wrong.</exception>
    /// <exception cref="GpioException">A line cannot be requested.</exception>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var lines = IndicatorLines.Resolve(_options, _board);
        _gpio = _openGpio(lines);
        try
        {
            _engine = IndicatorEngine.Open(_options, lines, _gpio, _time, Indicators, _status.SetAlarms, _logger);
            OpenOptionalLines(lines);
            if (_journal is not null) _engine.Replay(_journal.Query(ReplayQuery()));
        }
        catch
        {
            ReleaseLines();
            throw;
        }
        _status.Changed += OnStatusChanged;
        _engine.ApplyAll();
        _logger.LogInformation("Indicators started on board {Board}: {Count} lines", _board.Name, lines.Count);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops following events and puts every line back in its safe state.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _status.Changed -= OnStatusChanged;
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseLines();
        }
    }

    /// <summary>Clears the latched alarms of <paramref name="vm"/> (all VMs when null) and publishes one
    /// <see cref="ApplianceEventNames.AlarmAcknowledged"/> event per VM that had any, naming the source and the alarms.</summary>
    /// <param name="vm">The VM, or null for all.</param>
    /// <param name="by">Who acknowledged: see <see cref="AcknowledgeSource"/>.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    /// <returns>What was cleared, per VM; empty when nothing was latched (or the service is not started: nothing is).</returns>
    public async Task<IReadOnlyList<AcknowledgedAlarms>> AcknowledgeAsync(string? vm, string by, CancellationToken cancellationToken)
    {
        if (_engine is not { } engine) return [];
        var cleared = engine.Acknowledge(vm);
        var result = new List<AcknowledgedAlarms>(cleared.Count);
        foreach (var (name, alarms) in cleared)
        {
            _logger.LogInformation("Alarms of {Vm} acknowledged by {By}: {Alarms}", name, by, string.Join(", ", alarms));
            await _hub.PublishAsync(AlarmAcknowledgedEvent.Create(name, by, alarms, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            result.Add(new AcknowledgedAlarms(name, alarms));
        }
        return result;
    }

    /// <summary>The latched alarms of a VM (event names).</summary>
    public IReadOnlyList<string> LatchedAlarms(string vm) => _engine?.AlarmsOf(vm) ?? [];

    /// <summary>Forces an indicator on, off or blinking above every rule (<c>gpio set</c>), or back to its rules when null.</summary>
    /// <exception cref="KeyNotFoundException">No indicator of that name.</exception>
    public void Override(string indicator, IndicatorAction? action, TimeSpan? blinkPeriod = null)
    {
        var engine = _engine ?? throw new InvalidOperationException("the indicator service is not started");
        engine.Override(indicator, action, blinkPeriod ?? TimeSpan.FromSeconds(1));
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var engine = _engine!;
        var button = _button is null ? Task.CompletedTask : WatchButtonAsync(_button, stoppingToken);
        try
        {
            await foreach (var vmEvent in _subscription.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    engine.OnEvent(vmEvent);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One bad event must not leave the lamps frozen for all the others.
                    _logger.LogError(e, "Indicators: applying {Event} of {Vm} failed", vmEvent.Event.Name, vmEvent.Vm);
                }
                Interlocked.Increment(ref _applied);
                // The event's alarms are latched now: its VM state may go out with them.
                _status.Events.MarkApplied(vmEvent.Vm, vmEvent.Received);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        await button.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        ReleaseLines();
        base.Dispose();
    }

    private void OpenOptionalLines(GpioLineMap lines)
    {
        if (_options.AcknowledgeButton is not null)
        {
            _button = GpioInputLine.Open(_gpio!, lines, IndicatorLines.ButtonOwner);
        }
        if (_options.Heartbeat is { } heartbeat)
        {
            var output = GpioOutputLine.Open(_gpio!, lines, IndicatorLines.HeartbeatOwner, false);
            _heartbeat = new HeartbeatOutput(output, heartbeat.Interval, _health is { } health ? () => !health.IsUnhealthy : () => true, _time);
        }
    }

    private JournalQuery ReplayQuery()
    {
        // Critical rules latch on the journaled critical flag (the policy of the run that journaled the event); the
        // policy names every event that may carry it.
        var names = _options.Rules.Where(r => r.Latch).SelectMany(r => r.Critical ? _critical.EventNames : r.Events)
            .Append(ApplianceEventNames.AlarmAcknowledged).Distinct(StringComparer.Ordinal).ToList();
        return new JournalQuery(Events: names, Limit: _options.ReplayLimit);
    }

    private async Task WatchButtonAsync(GpioInputLine button, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var edge = await button.ReadEdgeAsync(cancellationToken).ConfigureAwait(false);
                if (edge.ChangeType == PinEventTypes.Rising) await AcknowledgeAsync(null, AcknowledgeSource.Button, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ChannelClosedException e)
        {
            _logger.LogError(e.InnerException ?? e, "Acknowledge button on {Pin} stopped", button.Pin);
        }
    }

    // Run states come with the events (VmEvent.RunState); the board only says when a VM is gone for good.
    private void OnStatusChanged(string vm)
    {
        if (_status.Get(vm) is null) _engine?.Forget(vm);
    }

    private void ReleaseLines()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
        _button?.Dispose();
        _button = null;
        _engine?.Dispose();
        _gpio?.Dispose();
        _gpio = null;
    }
}

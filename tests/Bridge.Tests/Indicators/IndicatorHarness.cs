using System.Device.Gpio;
using GpioPin = Appliance.Bridge.Indicators.Gpio.GpioPin;
using System.Text;
using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Time.Testing;
using Appliance.TestSupport.Waiting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>An <see cref="IndicatorService"/> on the simulated driver and virtual time, wired to a real
/// <see cref="EventHub"/> and <see cref="VmStatusBoard"/> as the host wires it.</summary>
internal sealed class IndicatorHarness : IAsyncDisposable
{
    public static readonly GpioPin Status = new("gpiochip0", 0), Alarm = new("gpiochip0", 1), Relay = new("gpiochip0", 2),
        Button = new("gpiochip0", 3), Heartbeat = new("gpiochip0", 4);

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);
    private readonly CriticalEventClassifier _classifier;
    private readonly Dictionary<string, RunStatusTracker> _runStatus = new(StringComparer.Ordinal);
    private bool _stopped;

    private IndicatorHarness(IndicatorOptions options, IJournalReader? journal, Func<bool>? isHealthy, int journalCapacity, CriticalEventClassifier? criticalEvents)
    {
        _classifier = criticalEvents ?? new CriticalEventClassifier();
        Time = new FakeTimeProvider();
        Gpio = new SimulatedGpioChips(Time);
        Hub = new EventHub();
        Journaled = Hub.Subscribe("journal-probe", EventDelivery.Lossless, journalCapacity);
        StatusBoard = new VmStatusBoard(Time);
        Options = options;
        var hardware = new IndicatorHardware(BoardCatalog.Load([]).Get("sim"), lines => new GpioController(new SimulatedGpioDriver(Gpio, lines)));
        Service = new IndicatorService(options, hardware, Hub, StatusBoard, Time, NullLogger<IndicatorService>.Instance, journal,
            isHealthy is null ? null : new HealthSignal(isHealthy), _classifier);
    }

    public FakeTimeProvider Time { get; }
    public SimulatedGpioChips Gpio { get; }
    public EventHub Hub { get; }
    public EventSubscription Journaled { get; }
    public VmStatusBoard StatusBoard { get; }
    public IndicatorOptions Options { get; }
    public IndicatorService Service { get; }

    /// <summary>A harness whose service is not started yet.</summary>
    public static IndicatorHarness Create(IndicatorOptions? options = null, IJournalReader? journal = null, Func<bool>? isHealthy = null,
        int journalCapacity = 8192, CriticalEventClassifier? criticalEvents = null) =>
        new(options ?? IndicatorOptions.CreateDefault(), journal, isHealthy, journalCapacity, criticalEvents);

    /// <summary>A started harness; <paramref name="criticalEvents"/> is the criticality policy of both the simulated
    /// monitor (<see cref="PublishLineAsync"/>) and the service's restart replay, as the host shares one.</summary>
    public static async Task<IndicatorHarness> StartAsync(IndicatorOptions? options = null, IJournalReader? journal = null, Func<bool>? isHealthy = null,
        int journalCapacity = 8192, CriticalEventClassifier? criticalEvents = null)
    {
        var harness = Create(options, journal, isHealthy, journalCapacity, criticalEvents);
        await harness.Service.StartAsync(CancellationToken.None);
        return harness;
    }

    public bool? Level(GpioPin pin) => Gpio.LevelOf(pin);

    /// <summary>Parses a QMP event line with src/Qmp, classifies it, stamps the VM's run status and publishes it, as
    /// the monitor does.</summary>
    public async Task PublishLineAsync(string vm, string line)
    {
        var qmpEvent = (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line));
        var flags = _classifier.IsCritical(qmpEvent) ? VmEventFlags.Critical : VmEventFlags.None;
        var runStatus = RunStatusOf(vm);
        if (runStatus.Apply(qmpEvent) is { } status) StatusBoard.SetRunStatus(vm, status);
        await Hub.PublishAsync(new VmEvent(vm, qmpEvent, Time.GetUtcNow(), flags) { RunState = runStatus.Current });
    }

    /// <summary>As the monitor does on (re)connect: the gap marker carrying the snapshot's run status; returns once
    /// the indicators applied it.</summary>
    public async Task ConnectAsync(string vm, string runState)
    {
        long applied = Service.Applied;
        RunStatusOf(vm).Reset(runState);
        StatusBoard.SetRunStatus(vm, runState);
        var gap = (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(
            $$$"""{"event": "{{{ApplianceEventNames.Gap}}}", "data": {"reason": "connected", "status": {"status": "{{{runState}}}"}}, "timestamp": {"seconds": 1700000000, "microseconds": 0}}"""));
        await Hub.PublishAsync(new VmEvent(vm, gap, Time.GetUtcNow(), VmEventFlags.Gap) { RunState = runState });
        await WaitUntilAsync(() => Service.Applied > applied, $"{vm} connected as {runState}");
    }

    /// <summary>As the monitor does with a stall check's answer: the status is taken, no event is published.</summary>
    public void ObserveRunState(string vm, string runState)
    {
        RunStatusOf(vm).Observe(runState);
        StatusBoard.SetRunStatus(vm, runState);
    }

    private RunStatusTracker RunStatusOf(string vm)
    {
        lock (_runStatus)
        {
            if (!_runStatus.TryGetValue(vm, out var tracker)) _runStatus[vm] = tracker = new RunStatusTracker();
            return tracker;
        }
    }

    public Task PublishAsync(string vm, string eventName, string data = "{}") =>
        PublishLineAsync(vm, $$$"""{"event": "{{{eventName}}}", "data": {{{data}}}, "timestamp": {"seconds": 1700000000, "microseconds": 0}}""");

    /// <summary>Waits (real time, generous limit) until the service has done something observable.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Eventually.TrueAsync(condition, what, WaitLimit, poll: TimeSpan.FromMilliseconds(2));

    public Task WaitForLevelAsync(GpioPin pin, bool active) => WaitUntilAsync(() => Level(pin) == active, $"{pin} is {(active ? "active" : "inactive")}");

    public Task WaitForPatternAsync(string indicator, IndicatorPattern pattern) =>
        WaitUntilAsync(() => Service.Indicators.Get(indicator)?.Pattern == pattern, $"{indicator} shows {pattern}");

    /// <summary>The next event of <paramref name="name"/> that went into the hub (as the journal would see it).</summary>
    public async Task<VmEvent> NextJournaledAsync(string name)
    {
        using var cts = new CancellationTokenSource(WaitLimit);
        while (true)
        {
            var vmEvent = await Journaled.Reader.ReadAsync(cts.Token);
            if (vmEvent.Event.Name == name) return vmEvent;
        }
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await Service.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Service.Dispose();
    }
}

/// <summary>The heartbeat's health as a test states it: healthy while the predicate says so (it may throw).</summary>
internal sealed class HealthSignal(Func<bool> isHealthy) : IHealthSignal
{
    public bool IsUnhealthy => !isHealthy();
}

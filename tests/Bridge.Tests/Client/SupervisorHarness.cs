using Appliance.Qmp;
using Appliance.Bridge.Client;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Tests.Client;

/// <summary>A supervisor wired to a real hub and status board, running until disposed, with the history of
/// monitor states it went through.</summary>
internal sealed class SupervisorHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<MonitorState> _states = [];
    private readonly Task _run;

    public SupervisorHarness(string endpoint, MonitorOptions options, TimeProvider? time = null, string vm = "vm1",
        Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        Board = new VmStatusBoard(time);
        Events = Hub.Subscribe("test", EventDelivery.Lossless);
        Board.Changed += name =>
        {
            if (Board.Get(name) is { } s)
            {
                lock (_states)
                {
                    if (_states.Count == 0 || _states[^1] != s.Monitor) _states.Add(s.Monitor);
                }
            }
        };
        Supervisor = new MonitorSupervisor(vm, QmpEndpoint.Parse(endpoint), options, Hub, Board, new CriticalEventClassifier(), time, logger);
        _run = Task.Run(() => Supervisor.RunAsync(_stop.Token));
    }

    /// <summary>Options with generous timeouts, quick reconnects and no stall checks during a test.</summary>
    public static MonitorOptions QuickOptions() => new()
    {
        ConnectTimeout = TestWait.Timeout, GreetingTimeout = TestWait.Timeout, NegotiationTimeout = TestWait.Timeout,
        CommandTimeout = TestWait.Timeout, StallCheckInterval = TimeSpan.FromHours(1), StallTimeout = TimeSpan.FromHours(1),
        ReconnectMin = TimeSpan.FromMilliseconds(20), ReconnectMax = TimeSpan.FromMilliseconds(100),
    };

    public EventHub Hub { get; } = new();

    public VmStatusBoard Board { get; }

    public EventSubscription Events { get; }

    public MonitorSupervisor Supervisor { get; }

    public IReadOnlyList<MonitorState> States
    {
        get { lock (_states) return [.. _states]; }
    }

    public VmStatus Status => Board.Get(Supervisor.Vm) ?? new VmStatus(Supervisor.Vm);

    public Task UntilStateAsync(MonitorState state, Action? step = null) =>
        TestWait.UntilAsync(() => Supervisor.State == state, $"monitor state {state}", step);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TestWait.Timeout);
        _stop.Dispose();
    }
}

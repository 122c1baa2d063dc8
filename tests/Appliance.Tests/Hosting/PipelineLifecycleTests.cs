using Appliance.Host.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Appliance.Tests.Hosting;

/// <summary>The pipeline starts in the order written down and stops in the reverse, whatever fails on the way.</summary>
public sealed class PipelineLifecycleTests
{
    private readonly List<string> _calls = [];
    private readonly FakeLogger<PipelineLifecycle> _log = new();

    private PipelineLifecycle Lifecycle(params Stage[] stages) => new([.. stages.Select(s => new PipelineStage(s.Name, s))], _log);

    private Stage Component(string name, bool failStart = false, bool failStop = false) => new(name, _calls, failStart, failStop);

    [Fact]
    public async Task Starts_in_the_given_order_and_stops_in_the_reverse()
    {
        var lifecycle = Lifecycle(Component("indicators"), Component("journal"), Component("monitors"));

        await lifecycle.StartAsync(CancellationToken.None);
        await lifecycle.StopAsync(CancellationToken.None);

        Assert.Equal(["start indicators", "start journal", "start monitors", "stop monitors", "stop journal", "stop indicators"], _calls);
    }

    [Fact]
    public async Task A_failed_start_stops_what_had_started_in_reverse_and_fails_with_the_cause()
    {
        var lifecycle = Lifecycle(Component("indicators"), Component("journal"), Component("monitors", failStart: true), Component("dashboard"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => lifecycle.StartAsync(CancellationToken.None));

        Assert.Equal("monitors cannot start", error.Message);
        Assert.Equal(["start indicators", "start journal", "start monitors", "stop journal", "stop indicators"], _calls);
        Assert.Contains("monitors failed to start", _log.LatestRecord.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_stop_does_not_keep_the_others_from_stopping()
    {
        var lifecycle = Lifecycle(Component("indicators"), Component("journal", failStop: true), Component("monitors"));
        await lifecycle.StartAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<AggregateException>(() => lifecycle.StopAsync(CancellationToken.None));

        Assert.Equal("journal cannot stop", Assert.Single(error.InnerExceptions).Message);
        Assert.Equal(["stop monitors", "stop journal", "stop indicators"], _calls.Skip(3));
        Assert.Equal(LogLevel.Error, _log.LatestRecord.Level);
    }

    private sealed class Stage(string name, List<string> calls, bool failStart, bool failStop) : IHostedService
    {
        public string Name => name;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            calls.Add($"start {name}");
            return failStart ? Task.FromException(new InvalidOperationException($"{name} cannot start")) : Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            calls.Add($"stop {name}");
            return failStop ? Task.FromException(new InvalidOperationException($"{name} cannot stop")) : Task.CompletedTask;
        }
    }
}

using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Health;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Waiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Health;

/// <summary>The journal writer's health on a real journal: a full disk is Degraded (the events are held and a restart
/// would lose them), a writer that neither commits nor tries is Unhealthy.</summary>
public sealed class JournalWriterHealthCheckTests : IAsyncLifetime
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMilliseconds(300);
    private readonly TempDirectory _dir = new();
    private readonly EventHub _hub = new();
    private readonly EventJournal _journal;
    private readonly JournalWriter _writer;
    private readonly JournalWriterHealthCheck _check;

    public JournalWriterHealthCheckTests()
    {
        var options = new JournalOptions { Path = _dir.File("journal.db"), BatchMaxDelay = TimeSpan.Zero };
        _journal = EventJournal.Open(options);
        _writer = new JournalWriter(_journal, _hub.Subscribe("journal", EventDelivery.Lossless), options);
        _check = new JournalWriterHealthCheck(_writer, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), TimeProvider.System, StuckAfter);
    }

    [Fact]
    public async Task A_writer_committing_what_comes_is_healthy()
    {
        await _writer.StartAsync(CancellationToken.None);
        await _hub.PublishAsync(Stop());
        await Eventually.TrueAsync(() => _writer.Counters.Rows == 1, "the event committed");

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task A_full_disk_is_degraded_with_the_error_and_not_unhealthy_while_the_writer_retries()
    {
        _journal.Writer.ExecuteScalar($"PRAGMA max_page_count = {_journal.Writer.ExecuteScalar("PRAGMA page_count")}");
        for (int i = 0; i < 200; i++) await _hub.PublishAsync(Stop());
        await _writer.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => _writer.Counters.Errors >= 3, "three failed commits");

        var result = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("journal cannot write", result.Description, StringComparison.Ordinal);
        Assert.Contains("200 events held", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_that_neither_commits_nor_tries_while_events_wait_is_unhealthy()
    {
        await _writer.StartAsync(CancellationToken.None);
        using var hold = _writer.Hold();
        await _hub.PublishAsync(Stop());
        await Eventually.TrueAsync(() => _writer.Queued == 1 || _writer.Counters.Rows == 1, "the event queued");
        Assert.NotEqual(HealthStatus.Unhealthy, (await CheckAsync()).Status);

        await Eventually.TrueAsync(() => CheckAsync().GetAwaiter().GetResult().Status == HealthStatus.Unhealthy, "Unhealthy after the stuck limit");
        Assert.Contains("journal writer stuck", (await CheckAsync()).Description, StringComparison.Ordinal);
    }

    private Task<HealthCheckResult> CheckAsync() => _check.CheckHealthAsync(new HealthCheckContext());

    private static VmEvent Stop() => new("vm1",
        (QmpEvent)QmpMessageParser.Parse("""{"timestamp": {"seconds": 1700000001, "microseconds": 2}, "event": "STOP"}"""u8.ToArray()),
        DateTimeOffset.UtcNow, VmEventFlags.None);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _hub.Complete();
        await _writer.StopAsync(CancellationToken.None);
        _writer.Dispose();
        _journal.Dispose();
        _dir.Dispose();
    }
}

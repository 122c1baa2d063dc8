using System.Text;
using System.Text.Json;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.TestSupport.Files;

namespace Appliance.Tests.Cli;

/// <summary><c>appliance events</c> run as a separate process against a journal written by the real writer.</summary>
public sealed class EventsVerbTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    private string JournalPath => _dir.File("journal.db");

    public Task InitializeAsync() => WriteSampleJournalAsync(JournalPath);

    /// <summary>Three events through the real writer: STOP and RESET of web, WATCHDOG (critical) of db.</summary>
    internal static async Task WriteSampleJournalAsync(string path)
    {
        var options = new JournalOptions { Path = path };
        using var journal = EventJournal.Open(options);
        var hub = new EventHub();
        using var writer = new JournalWriter(journal, hub.Subscribe("journal", EventDelivery.Lossless), options);
        await writer.StartAsync(CancellationToken.None);
        string[] lines =
        [
            """{"timestamp": {"seconds": 1700000000, "microseconds": 1}, "event": "STOP"}""",
            """{"timestamp": {"seconds": 1700000001, "microseconds": 2}, "event": "WATCHDOG", "data": {"action": "reset"}}""",
            """{"timestamp": {"seconds": 1700000002, "microseconds": 3}, "event": "RESET", "data": {"guest": true, "reason": "watchdog"}}""",
        ];
        foreach (var (line, vm) in lines.Select((l, i) => (l, i == 1 ? "db" : "web")))
        {
            var e = (QmpEvent)QmpMessageParser.Parse(Encoding.UTF8.GetBytes(line));
            await hub.PublishAsync(new VmEvent(vm, e, DateTimeOffset.UtcNow, e.Name == "WATCHDOG" ? VmEventFlags.Critical : VmEventFlags.None));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (journal.LastCommittedSeq < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        hub.Complete();
        await writer.StopAsync(CancellationToken.None);
    }


    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Json_lines_carry_seq_vm_event_data_timestamp_and_received()
    {
        var r = await CliProcess.RunAsync("events", "--journal", JournalPath, "--json");
        Assert.Equal(0, r.ExitCode);
        var rows = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["STOP", "WATCHDOG", "RESET"], rows.Select(x => x.GetProperty("event").GetString()));
        var watchdog = rows[1];
        Assert.Equal(2, watchdog.GetProperty("seq").GetInt64());
        Assert.Equal("db", watchdog.GetProperty("vm").GetString());
        Assert.Equal("reset", watchdog.GetProperty("data").GetProperty("action").GetString());
        Assert.Equal(1700000001, watchdog.GetProperty("timestamp").GetProperty("seconds").GetInt64());
        Assert.Equal(2, watchdog.GetProperty("timestamp").GetProperty("microseconds").GetInt64());
        Assert.True(watchdog.GetProperty("received").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task Filters_by_vm_and_type()
    {
        var r = await CliProcess.RunAsync("events", "--journal", JournalPath, "--json", "--vm", "web", "--type", "RESET,WATCHDOG");
        Assert.Equal(0, r.ExitCode);
        var only = Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("RESET", JsonDocument.Parse(only).RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Type_filter_ignores_case()
    {
        var r = await CliProcess.RunAsync("events", "--journal", JournalPath, "--json", "--type", "watchdog");
        Assert.Equal(0, r.ExitCode);
        var line = Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"WATCHDOG\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_has_a_header_and_a_row_per_event()
    {
        var r = await CliProcess.RunAsync("events", "--journal", JournalPath, "--limit", "2");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("EVENT", lines[0], StringComparison.Ordinal);
        Assert.Contains("WATCHDOG", lines[1], StringComparison.Ordinal);
        Assert.Contains("RESET", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_since_value_is_a_usage_error_naming_the_option()
    {
        var r = await CliProcess.RunAsync("events", "--journal", JournalPath, "--since", "yesterday-ish");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--since", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_journal_file_is_a_clear_error()
    {
        var r = await CliProcess.RunAsync("events", "--journal", _dir.File("none.db"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("none.db", r.Stderr, StringComparison.Ordinal);
    }
}

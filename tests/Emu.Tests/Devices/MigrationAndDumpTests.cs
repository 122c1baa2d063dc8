using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Devices;

public sealed class MigrationAndDumpTests
{
    private const string EventsOn = "{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}";

    [Fact]
    public async Task Migration_with_the_events_capability_reports_each_status_and_pass()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("migrate-set-capabilities", EventsOn);

        await client.ReturnOfAsync("migrate", "{\"uri\":\"exec:cat > /dev/null\"}");
        bed.Advance(2);

        var events = await client.ExpectEventsAsync("MIGRATION", "MIGRATION", "MIGRATION_PASS", "MIGRATION_PASS", "MIGRATION_PASS", "STOP", "MIGRATION");
        Assert.Equal(["setup", "active"], events[..2].Select(e => ((MigrationEvent)QmpEventCatalog.Parse(e)).Status));
        Assert.Equal([1L, 2L, 3L], events[2..5].Select(e => ((MigrationPassEvent)QmpEventCatalog.Parse(e)).Pass));
        Assert.Equal(new MigrationEvent("completed"), QmpEventCatalog.Parse(events[6]));
        Assert.Equal("postmigrate", await client.StatusAsync());
        Assert.Contains("\"status\":\"completed\"", await client.ReturnOfAsync("query-migrate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migration_without_the_events_capability_only_stops_the_vm()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("migrate", "{\"uri\":\"tcp:127.0.0.1:4444\"}");
        bed.Advance(2);

        Assert.Equal(["STOP"], (await client.DrainEventsAsync()).Select(e => e.Name));
    }

    [Fact]
    public async Task Migration_with_a_spice_client_reports_SPICE_MIGRATE_COMPLETED()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-spice-connect");
        await client.ExpectEventsAsync("SPICE_CONNECTED", "SPICE_INITIALIZED");

        await client.ReturnOfAsync("migrate", "{\"uri\":\"unix:/tmp/mig.sock\"}");
        bed.Advance(2);

        await client.ExpectEventsAsync("STOP", "SPICE_MIGRATE_COMPLETED");
    }

    [Fact]
    public async Task Migrate_cancel_reports_cancelling_then_cancelled()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("migrate-set-capabilities", EventsOn);
        await client.ReturnOfAsync("migrate", "{\"uri\":\"exec:true\"}");

        await client.ReturnOfAsync("migrate_cancel");

        var events = await client.ExpectEventsAsync("MIGRATION", "MIGRATION", "MIGRATION");
        Assert.Equal(["setup", "cancelling", "cancelled"], events.Select(e => ((MigrationEvent)QmpEventCatalog.Parse(e)).Status));
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Migrate_refuses_an_unknown_protocol_and_a_second_migration()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        var badUri = await client.ErrorOfAsync("migrate", "{\"uri\":\"carrier-pigeon:home\"}");
        await client.ReturnOfAsync("migrate", "{\"uri\":\"exec:true\"}");
        var second = await client.ErrorOfAsync("migrate", "{\"uri\":\"exec:true\"}");

        Assert.Equal("Parameter 'uri' expects a valid migration protocol", badUri.Description);
        Assert.Equal("There's a migration process in progress", second.Description);
    }

    [Fact]
    public async Task A_migration_to_an_unknown_protocol_fails_from_setup()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("migrate-set-capabilities", EventsOn);

        await client.ErrorOfAsync("migrate", "{\"uri\":\"carrier-pigeon:home\"}");

        var events = await client.ExpectEventsAsync("MIGRATION", "MIGRATION");
        Assert.Equal(["setup", "failed"], events.Select(e => ((MigrationEvent)QmpEventCatalog.Parse(e)).Status));
        Assert.StartsWith("{\"status\":\"failed\"", await client.ReturnOfAsync("query-migrate"), StringComparison.Ordinal);
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task A_detached_dump_writes_the_file_and_reports_completion()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        string path = bed.Directory.File("core.elf");

        await client.ReturnOfAsync("dump-guest-memory", $"{{\"paging\":false,\"protocol\":\"file:{path}\",\"detach\":true}}");
        Assert.Contains("\"status\":\"active\"", await client.ReturnOfAsync("query-dump"), StringComparison.Ordinal);
        bed.Advance(1);

        var done = await client.ExpectEventAsync<DumpCompletedEvent>("DUMP_COMPLETED");
        Assert.Equal(new DumpQueryResult("completed", 4096, 4096), done.Result);
        Assert.Null(done.Error);
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(path)[..4]);
    }

    [Fact]
    public async Task A_dump_to_an_unwritable_path_reports_failure_with_the_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        string path = bed.Directory.File("missing-dir/core.elf");

        await client.ReturnOfAsync("dump-guest-memory", $"{{\"paging\":false,\"protocol\":\"file:{path}\",\"detach\":true}}");
        bed.Advance(1);

        var done = await client.ExpectEventAsync<DumpCompletedEvent>("DUMP_COMPLETED");
        Assert.Equal("failed", done.Result.Status);
        Assert.StartsWith($"Could not open '{path}'", done.Error, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"failed\"", await client.ReturnOfAsync("query-dump"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_synchronous_dump_failure_is_an_error_reply()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        var error = await client.ErrorOfAsync("dump-guest-memory", "{\"paging\":false,\"protocol\":\"file:/nonexistent/dir/core\"}");

        Assert.StartsWith("Could not open '/nonexistent/dir/core'", error.Description, StringComparison.Ordinal);
        Assert.Equal("failed", (await client.ExpectEventAsync<DumpCompletedEvent>("DUMP_COMPLETED")).Result.Status);
    }

    [Fact]
    public async Task Spice_clients_connect_initialize_and_disconnect()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-spice-connect");
        string spice = await client.ReturnOfAsync("query-spice");
        await client.ReturnOfAsync("x-spice-disconnect");

        var events = await client.ExpectEventsAsync("SPICE_CONNECTED", "SPICE_INITIALIZED", "SPICE_DISCONNECTED");
        var init = Assert.IsType<SpiceInitializedEvent>(QmpEventCatalog.Parse(events[1]));
        Assert.Equal((1L, 1L, false), (init.Client.ConnectionId, init.Client.ChannelType, init.Client.Tls));
        Assert.Contains("\"connection-id\":1", spice, StringComparison.Ordinal);
    }
}

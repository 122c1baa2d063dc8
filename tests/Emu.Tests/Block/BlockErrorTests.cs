using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;

namespace Appliance.Emu.Tests.Block;

public sealed class BlockErrorTests
{
    [Fact]
    public async Task A_write_error_under_werror_stop_reports_then_stops_the_vm_in_io_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-disk-error", "{\"device\":\"drive0\",\"operation\":\"write\"}");

        var events = await client.ExpectEventsAsync("BLOCK_IO_ERROR", "STOP");
        Assert.Equal(new BlockIoErrorEvent("drive0", "write", "stop", "disk0", false, "Input/output error"), QmpEventCatalog.Parse(events[0]));
        Assert.Equal("io-error", await client.StatusAsync());
        Assert.Contains("\"io-status\":\"failed\"", await client.ReturnOfAsync("query-block"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cont_retries_and_a_disk_that_still_fails_stops_the_vm_again()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-disk-error", "{\"device\":\"drive0\",\"operation\":\"read\",\"persistent\":true}");

        await client.ReturnOfAsync("cont");

        await client.ExpectEventsAsync("BLOCK_IO_ERROR", "STOP", "RESUME", "BLOCK_IO_ERROR", "STOP");
        Assert.Equal("io-error", await client.StatusAsync());
    }

    [Fact]
    public async Task Cont_after_the_disk_recovered_keeps_the_vm_running()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-disk-error", "{\"device\":\"drive0\",\"persistent\":true}");
        await client.ReturnOfAsync("x-guest-disk-fail", "{\"device\":\"drive0\",\"failing\":false}");

        await client.ReturnOfAsync("cont");

        await client.ExpectEventsAsync("BLOCK_IO_ERROR", "STOP", "RESUME");
        Assert.Empty(await client.DrainEventsAsync());
        Assert.Equal("running", await client.StatusAsync());
    }

    [Theory]
    [InlineData("drive1", "read", false, "report")]
    [InlineData("drive1", "write", false, "report")]
    [InlineData("drive2", "write", false, "ignore")]
    [InlineData("drive2", "read", true, "ignore")]
    public async Task Report_enospc_without_nospace_and_ignore_keep_the_vm_running(string device, string operation, bool nospace, string action)
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-disk-error",
            $"{{\"device\":\"{device}\",\"operation\":\"{operation}\",\"nospace\":{(nospace ? "true" : "false")}}}");

        var e = await client.ExpectEventAsync<BlockIoErrorEvent>("BLOCK_IO_ERROR");
        Assert.Equal(action, e.Action);
        Assert.Equal(nospace, e.Nospace);
        Assert.Empty(await client.DrainEventsAsync());
        Assert.Equal("running", await client.StatusAsync());
    }

    [Fact]
    public async Task Werror_enospc_stops_the_vm_when_the_disk_is_full()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-disk-error", "{\"device\":\"drive1\",\"operation\":\"write\",\"nospace\":true}");

        var events = await client.ExpectEventsAsync("BLOCK_IO_ERROR", "STOP");
        Assert.Equal(new BlockIoErrorEvent("drive1", "write", "stop", "disk1", true, "No space left on device"), QmpEventCatalog.Parse(events[0]));
    }

    [Fact]
    public async Task A_corrupt_image_reports_BLOCK_IMAGE_CORRUPTED()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-image-corrupt", "{\"device\":\"drive0\"}");

        var e = await client.ExpectEventAsync<BlockImageCorruptedEvent>("BLOCK_IMAGE_CORRUPTED");
        Assert.Equal(("drive0", "disk0", true), (e.Device, e.NodeName, e.Fatal));
    }

    [Fact]
    public async Task One_bad_quorum_child_is_reported_without_a_quorum_failure()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-quorum-child", "{\"child\":\"quorum0-child1\",\"failing\":true}");

        var bad = await client.ExpectEventAsync<QuorumReportBadEvent>("QUORUM_REPORT_BAD");
        Assert.Equal(("read", "quorum0-child1"), (bad.Type, bad.NodeName));
        Assert.Empty(await client.DrainEventsAsync());
    }

    [Fact]
    public async Task Losing_the_quorum_reports_each_bad_child_and_a_quorum_failure()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-quorum-child", "{\"child\":\"quorum0-child0\",\"failing\":true}");
        await client.ExpectEventsAsync("QUORUM_REPORT_BAD");

        await client.ReturnOfAsync("x-guest-quorum-child", "{\"child\":\"quorum0-child2\",\"failing\":true}");

        // child0 is inside its rate-limit window; child2 and the failure go out at once.
        Assert.Equal("quorum0-child2", (await client.ExpectEventAsync<QuorumReportBadEvent>("QUORUM_REPORT_BAD")).NodeName);
        Assert.Equal(new QuorumFailureEvent("quorum0", 2048, 8), await client.ExpectEventAsync<QuorumFailureEvent>("QUORUM_FAILURE"));
        bed.Advance(1);
        Assert.Equal("quorum0-child0", (await client.ExpectEventAsync<QuorumReportBadEvent>("QUORUM_REPORT_BAD")).NodeName);
    }

    [Fact]
    public async Task An_unknown_drive_is_named_in_the_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        var error = await client.ErrorOfAsync("x-guest-disk-error", "{\"device\":\"drive9\"}");

        Assert.Equal("Cannot find device='drive9' nor node-name='drive9'", error.Description);
    }
}

using System.Text.Json;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Block;

public sealed class BlockJobTests
{
    private const long Len = 1L << 30;

    private static async Task<JsonElement> JobAsync(QmpTestClient client, int index = 0)
    {
        using var doc = JsonDocument.Parse(await client.ReturnOfAsync("query-block-jobs"));
        return doc.RootElement[index].Clone();
    }

    [Fact]
    public async Task A_stream_job_completes_with_the_job_id_as_device()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("block-stream", "{\"job-id\":\"job0\",\"device\":\"drive0\"}");
        bed.Advance(5);

        Assert.Equal(new BlockJobCompletedEvent("stream", "job0", Len, Len, 0), await client.ExpectEventAsync<BlockJobCompletedEvent>("BLOCK_JOB_COMPLETED"));
        Assert.Equal("[]", await client.ReturnOfAsync("query-block-jobs"));
    }

    [Fact]
    public async Task Without_job_id_the_job_is_named_after_the_device()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("block-commit", "{\"device\":\"drive1\"}");

        Assert.Equal("drive1", (await JobAsync(client)).GetProperty("device").GetString());
    }

    [Fact]
    public async Task Progress_honours_speed_and_block_job_set_speed()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("block-stream", "{\"device\":\"drive0\",\"speed\":10485760}");

        bed.Advance(1);
        long afterOne = (await JobAsync(client)).GetProperty("offset").GetInt64();
        await client.ReturnOfAsync("block-job-set-speed", "{\"device\":\"drive0\",\"speed\":20971520}");
        bed.Advance(1);
        var job = await JobAsync(client);

        Assert.Equal(10L << 20, afterOne);
        Assert.Equal(30L << 20, job.GetProperty("offset").GetInt64());
        Assert.Equal(20L << 20, job.GetProperty("speed").GetInt64());
    }

    [Fact]
    public async Task A_paused_job_makes_no_progress_until_resumed()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("block-stream", "{\"device\":\"drive0\",\"speed\":10485760}");
        await client.ReturnOfAsync("block-job-pause", "{\"device\":\"drive0\"}");

        bed.Advance(1);
        var paused = await JobAsync(client);
        await client.ReturnOfAsync("block-job-resume", "{\"device\":\"drive0\"}");
        bed.Advance(1);

        Assert.Equal(0, paused.GetProperty("offset").GetInt64());
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(10L << 20, (await JobAsync(client)).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task A_mirror_becomes_ready_and_completes_on_request()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("drive-mirror", "{\"job-id\":\"m0\",\"device\":\"drive0\",\"target\":\"/tmp/t.qcow2\",\"sync\":\"full\"}");
        var early = await client.ErrorOfAsync("block-job-complete", "{\"device\":\"m0\"}");

        bed.Advance(5);
        Assert.Equal(new BlockJobReadyEvent("mirror", "m0", Len, Len, 0), await client.ExpectEventAsync<BlockJobReadyEvent>("BLOCK_JOB_READY"));
        await client.ReturnOfAsync("block-job-complete", "{\"device\":\"m0\"}");

        Assert.Equal("Job 'm0' in state 'running' cannot accept command verb 'complete'", early.Description);
        Assert.Equal("mirror", (await client.ExpectEventAsync<BlockJobCompletedEvent>("BLOCK_JOB_COMPLETED")).Type);
    }

    [Fact]
    public async Task Cancelling_before_ready_reports_BLOCK_JOB_CANCELLED()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("block-stream", "{\"device\":\"drive0\",\"speed\":1048576}");
        bed.Advance(1);

        await client.ReturnOfAsync("block-job-cancel", "{\"device\":\"drive0\"}");

        Assert.Equal(new BlockJobCancelledEvent("stream", "drive0", Len, 1L << 20, 1L << 20), await client.ExpectEventAsync<BlockJobCancelledEvent>("BLOCK_JOB_CANCELLED"));
    }

    [Fact]
    public async Task Cancelling_a_ready_mirror_completes_it()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("drive-mirror", "{\"device\":\"drive0\",\"target\":\"/tmp/t.qcow2\",\"sync\":\"top\"}");
        bed.Advance(5);

        await client.ReturnOfAsync("block-job-cancel", "{\"device\":\"drive0\"}");

        await client.ExpectEventsAsync("BLOCK_JOB_READY", "BLOCK_JOB_COMPLETED");
    }

    [Fact]
    public async Task On_error_report_fails_the_job_with_an_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-disk-fail", "{\"device\":\"drive2\",\"failing\":true}");
        await client.ReturnOfAsync("block-stream", "{\"device\":\"drive2\"}");

        bed.Advance(0.1);

        var events = await client.ExpectEventsAsync("BLOCK_JOB_ERROR", "BLOCK_JOB_COMPLETED");
        Assert.Equal(new BlockJobErrorEvent("drive2", "read", "report"), QmpEventCatalog.Parse(events[0]));
        Assert.Equal("Input/output error", Assert.IsType<BlockJobCompletedEvent>(QmpEventCatalog.Parse(events[1])).Error);
    }

    [Fact]
    public async Task On_error_stop_pauses_the_job_until_resumed()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-disk-fail", "{\"device\":\"drive2\",\"failing\":true}");
        await client.ReturnOfAsync("drive-mirror", "{\"device\":\"drive2\",\"target\":\"/tmp/t\",\"sync\":\"full\",\"on-error\":\"stop\"}");

        bed.Advance(0.1);
        Assert.Equal(new BlockJobErrorEvent("drive2", "write", "stop"), await client.ExpectEventAsync<BlockJobErrorEvent>("BLOCK_JOB_ERROR"));
        var job = await JobAsync(client);
        await client.ReturnOfAsync("x-guest-disk-fail", "{\"device\":\"drive2\",\"failing\":false}");
        await client.ReturnOfAsync("block-job-resume", "{\"device\":\"drive2\"}");
        bed.Advance(5);

        Assert.True(job.GetProperty("paused").GetBoolean());
        Assert.Equal("failed", job.GetProperty("io-status").GetString());
        await client.ExpectEventsAsync("BLOCK_JOB_READY");
    }

    [Fact]
    public async Task An_unknown_job_is_DeviceNotActive()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        var error = await client.ErrorOfAsync("block-job-cancel", "{\"device\":\"nojob\"}");

        Assert.Equal(QmpErrorClass.DeviceNotActive, error.ErrorClass);
        Assert.Equal("Block job 'nojob' not found", error.Description);
    }

    [Fact]
    public async Task A_busy_device_refuses_a_second_job()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("block-stream", "{\"job-id\":\"a\",\"device\":\"drive0\"}");

        var sameId = await client.ErrorOfAsync("block-stream", "{\"job-id\":\"a\",\"device\":\"drive1\"}");
        var busy = await client.ErrorOfAsync("block-commit", "{\"job-id\":\"b\",\"device\":\"drive0\"}");

        Assert.Equal("Job ID 'a' already in use", sameId.Description);
        Assert.Equal("Node 'disk0' is busy: block device is in use by block job: stream", busy.Description);
    }
}

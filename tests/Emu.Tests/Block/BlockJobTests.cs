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

    /// <summary>The next events, each BLOCK_JOB_* by name and each JOB_STATUS_CHANGE by its status, must be exactly
    /// <paramref name="steps"/>; returns the BLOCK_JOB_* events.</summary>
    private static async Task<List<QmpEvent>> ExpectJobStepsAsync(QmpTestClient client, string job, params string[] steps)
    {
        var seen = new List<string>();
        var blockEvents = new List<QmpEvent>();
        for (int i = 0; i < steps.Length; i++)
        {
            var e = await client.NextEventAsync();
            if (e.Name == QmpEventNames.JobStatusChange)
            {
                var change = Assert.IsType<JobStatusChangeEvent>(QmpEventCatalog.Parse(e));
                Assert.Equal(job, change.Id);
                seen.Add(change.Status);
            }
            else
            {
                seen.Add(e.Name);
                blockEvents.Add(e);
            }
        }
        Assert.Equal(steps, seen);
        return blockEvents;
    }

    [Fact]
    public async Task A_completed_job_goes_through_QEMUs_job_states_around_BLOCK_JOB_COMPLETED()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("block-stream", "{\"job-id\":\"job0\",\"device\":\"drive0\"}");
        bed.Advance(5);

        await ExpectJobStepsAsync(client, "job0", "created", "running", "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null");
    }

    [Fact]
    public async Task Pausing_a_job_is_paused_and_pausing_a_ready_one_is_standby()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("drive-mirror", "{\"job-id\":\"m0\",\"device\":\"drive0\",\"target\":\"/tmp/t.qcow2\",\"sync\":\"full\",\"speed\":1048576}");
        await client.ReturnOfAsync("block-job-pause", "{\"device\":\"m0\"}");
        await client.ReturnOfAsync("block-job-resume", "{\"device\":\"m0\"}");
        await client.ReturnOfAsync("block-job-set-speed", "{\"device\":\"m0\",\"speed\":0}");
        bed.Advance(5);
        await client.ReturnOfAsync("block-job-pause", "{\"device\":\"m0\"}");
        await client.ReturnOfAsync("block-job-resume", "{\"device\":\"m0\"}");

        await ExpectJobStepsAsync(client, "m0", "created", "running", "paused", "running", "ready", "BLOCK_JOB_READY", "standby", "ready");
    }

    [Fact]
    public async Task A_stream_job_completes_with_the_job_id_as_device()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("block-stream", "{\"job-id\":\"job0\",\"device\":\"drive0\"}");
        bed.Advance(5);

        var events = await ExpectJobStepsAsync(client, "job0", "created", "running", "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null");
        Assert.Equal(new BlockJobCompletedEvent("stream", "job0", Len, Len, 0), QmpEventCatalog.Parse(events[0]));
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
        var ready = await ExpectJobStepsAsync(client, "m0", "created", "running", "ready", "BLOCK_JOB_READY");
        Assert.Equal(new BlockJobReadyEvent("mirror", "m0", Len, Len, 0), QmpEventCatalog.Parse(ready[0]));
        await client.ReturnOfAsync("block-job-complete", "{\"device\":\"m0\"}");

        Assert.Equal("Job 'm0' in state 'running' cannot accept command verb 'complete'", early.Description);
        var done = await ExpectJobStepsAsync(client, "m0", "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null");
        Assert.Equal("mirror", Assert.IsType<BlockJobCompletedEvent>(QmpEventCatalog.Parse(done[0])).Type);
    }

    [Fact]
    public async Task Cancelling_before_ready_reports_BLOCK_JOB_CANCELLED()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("block-stream", "{\"device\":\"drive0\",\"speed\":1048576}");
        bed.Advance(1);

        await client.ReturnOfAsync("block-job-cancel", "{\"device\":\"drive0\"}");

        var events = await ExpectJobStepsAsync(client, "drive0", "created", "running", "aborting", "BLOCK_JOB_CANCELLED", "concluded", "null");
        Assert.Equal(new BlockJobCancelledEvent("stream", "drive0", Len, 1L << 20, 1L << 20), QmpEventCatalog.Parse(events[0]));
    }

    [Fact]
    public async Task Cancelling_a_ready_mirror_completes_it()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("drive-mirror", "{\"device\":\"drive0\",\"target\":\"/tmp/t.qcow2\",\"sync\":\"top\"}");
        bed.Advance(5);

        await client.ReturnOfAsync("block-job-cancel", "{\"device\":\"drive0\"}");

        await ExpectJobStepsAsync(client, "drive0", "created", "running", "ready", "BLOCK_JOB_READY", "waiting", "pending", "BLOCK_JOB_COMPLETED", "concluded", "null");
    }

    [Fact]
    public async Task On_error_report_fails_the_job_with_an_error()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("x-guest-disk-fail", "{\"device\":\"drive2\",\"failing\":true}");
        await client.ReturnOfAsync("block-stream", "{\"device\":\"drive2\"}");

        bed.Advance(0.1);

        var events = await ExpectJobStepsAsync(client, "drive2", "created", "running", "BLOCK_JOB_ERROR", "aborting", "BLOCK_JOB_COMPLETED", "concluded", "null");
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
        var error = await ExpectJobStepsAsync(client, "drive2", "created", "running", "BLOCK_JOB_ERROR", "paused");
        Assert.Equal(new BlockJobErrorEvent("drive2", "write", "stop"), QmpEventCatalog.Parse(error[0]));
        var job = await JobAsync(client);
        await client.ReturnOfAsync("x-guest-disk-fail", "{\"device\":\"drive2\",\"failing\":false}");
        await client.ReturnOfAsync("block-job-resume", "{\"device\":\"drive2\"}");
        bed.Advance(5);

        Assert.True(job.GetProperty("paused").GetBoolean());
        Assert.Equal("failed", job.GetProperty("io-status").GetString());
        await ExpectJobStepsAsync(client, "drive2", "running", "ready", "BLOCK_JOB_READY");
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

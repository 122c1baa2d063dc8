using System.Text.Json;
using Appliance.Emu.Devices;
using Appliance.Emu.Machine;
using Appliance.Qmp.Messages;
using static Appliance.Emu.Commands.ParamSpec;

namespace Appliance.Emu.Commands;

/// <summary>Block job commands: block-stream, block-commit, drive-mirror, query-block-jobs and block-job-*.</summary>
internal static class BlockJobCommands
{
    private static readonly string[] OnError = ["report", "ignore", "enospc", "stop", "auto"];

    private static ParamSpec[] StartParams(params ParamSpec[] extra) =>
    [
        Opt("job-id", ParamType.String), Req("device", ParamType.String), .. extra,
        Opt("speed", ParamType.Integer), Enum("on-error", false, OnError),
    ];

    public static IEnumerable<CommandSpec> All =>
    [
        new("block-stream", StartParams(Opt("base", ParamType.String), Opt("backing-file", ParamType.String)), c => Start(c, "stream")),
        new("block-commit", StartParams(Opt("base", ParamType.String), Opt("top", ParamType.String)), c => Start(c, "commit")),
        new("drive-mirror", StartParams(Req("target", ParamType.String), Opt("format", ParamType.String),
            Enum("sync", true, "top", "full", "none", "incremental"), Enum("mode", false, "existing", "absolute-paths")), c => Start(c, "mirror")),
        new("query-block-jobs", [], c => CommandResult.Of(w => WriteJobs(w, c.Vm))),
        new("block-job-set-speed", [Req("device", ParamType.String), Req("speed", ParamType.Integer)], c => WithJob(c, job =>
        {
            long speed = c.Args.Integer("speed");
            if (speed < 0) return CommandResult.Error("Parameter 'speed' expects a non-negative value");
            job.Speed = speed;
            return CommandResult.Empty;
        })),
        new("block-job-pause", [Req("device", ParamType.String)], c => WithJob(c, job =>
        {
            c.Vm.Jobs.Pause(job);
            return CommandResult.Empty;
        })),
        new("block-job-resume", [Req("device", ParamType.String)], c => WithJob(c, job =>
        {
            c.Vm.Jobs.Resume(job);
            return CommandResult.Empty;
        })),
        new("block-job-cancel", [Req("device", ParamType.String), Opt("force", ParamType.Boolean)], c => WithJob(c, job =>
        {
            c.Vm.Jobs.Cancel(job);
            return CommandResult.Empty;
        })),
        new("block-job-complete", [Req("device", ParamType.String)], c => WithJob(c, job =>
        {
            if (!job.Ready) return CommandResult.Error($"Job '{job.Id}' in state '{job.Status}' cannot accept command verb 'complete'");
            c.Vm.Jobs.Complete(job);
            return CommandResult.Empty;
        })),
    ];

    private static CommandResult Start(CommandContext c, string type)
    {
        string device = c.Args.String("device");
        var disk = BlockCommands.FindDrive(c.Vm, device, out var notFound);
        if (disk is null) return notFound;
        string id = c.Args.OptionalString("job-id") ?? disk.Device;
        if (c.Vm.Jobs.Find(id) is not null) return CommandResult.Error($"Job ID '{id}' already in use");
        if (disk.BusyWith is { } busy) return CommandResult.Error($"Node '{disk.NodeName}' is busy: block device is in use by block job: {busy}");
        long speed = c.Args.Integer("speed");
        if (speed < 0) return CommandResult.Error("Parameter 'speed' expects a non-negative value");
        c.Vm.Jobs.Add(new BlockJob(id, type, disk, speed, c.Args.OptionalString("on-error") ?? "report"));
        return CommandResult.Empty;
    }

    private static CommandResult WithJob(CommandContext c, Func<BlockJob, CommandResult> action)
    {
        string id = c.Args.String("device");
        var job = c.Vm.Jobs.Find(id);
        return job is null ? CommandResult.Error(QmpErrorClass.DeviceNotActive, $"Block job '{id}' not found") : action(job);
    }

    private static void WriteJobs(Utf8JsonWriter w, VirtualMachine vm) => JsonReplies.ObjectArray(w, vm.Jobs.Jobs, static (w, job) =>
    {
        w.WriteString("type", job.Type);
        w.WriteString("device", job.Id);
        w.WriteNumber("len", job.Len);
        w.WriteNumber("offset", job.Offset);
        w.WriteBoolean("busy", !job.Paused && !job.Ready);
        w.WriteBoolean("paused", job.Paused);
        w.WriteNumber("speed", job.Speed);
        w.WriteString("io-status", job.IoStatus);
        w.WriteBoolean("ready", job.Ready);
        w.WriteString("status", job.Status);
        w.WriteBoolean("auto-finalize", true);
        w.WriteBoolean("auto-dismiss", true);
    });
}

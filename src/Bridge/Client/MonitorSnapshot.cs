using System.Buffers;
using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;
using Appliance.Qmp.Replies;

namespace Appliance.Bridge.Client;

/// <summary>The state of a VM read right after (re)connecting, since QEMU keeps no events for an absent client;
/// published as the gap marker <see cref="ApplianceEventNames.Gap"/>.</summary>
/// <param name="Status">The <c>query-status</c> return.</param>
/// <param name="BlockJobs">The <c>query-block-jobs</c> return, or empty when the server lacks the command.</param>
/// <param name="Migrate">The <c>query-migrate</c> return, or empty when the server lacks the command.</param>
internal sealed record MonitorSnapshot(ReadOnlyMemory<byte> Status, ReadOnlyMemory<byte> BlockJobs, ReadOnlyMemory<byte> Migrate)
{
    private const string QueryStatus = "query-status";
    private const string QueryBlockJobs = "query-block-jobs";
    private const string QueryMigrate = "query-migrate";

    /// <summary>The run status named in the <c>query-status</c> return, if any.</summary>
    public string? RunStatus => QmpReplies.Status(Status)?.Status;

    /// <summary>Reads the snapshot; commands the server does not offer are left out.</summary>
    public static async Task<MonitorSnapshot> TakeAsync(QmpClient client, CancellationToken cancellationToken)
    {
        var offered = Offered(await client.ExecuteAsync("query-commands", cancellationToken: cancellationToken).ConfigureAwait(false));
        var status = await QueryAsync(client, QueryStatus, offered, cancellationToken).ConfigureAwait(false);
        var jobs = await QueryAsync(client, QueryBlockJobs, offered, cancellationToken).ConfigureAwait(false);
        var migrate = await QueryAsync(client, QueryMigrate, offered, cancellationToken).ConfigureAwait(false);
        return new MonitorSnapshot(status, jobs, migrate);
    }

    /// <summary>The gap marker: an event line generated here, parsed like any line a monitor sends.</summary>
    public QmpEvent ToGapEvent(bool reconnected, DateTimeOffset now)
    {
        var line = new ArrayBufferWriter<byte>(256 + Status.Length + BlockJobs.Length + Migrate.Length);
        QmpMessageWriter.WriteEvent(line, ApplianceEventNames.Gap, QmpTimestamp.FromDateTimeOffset(now), w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", reconnected ? "reconnected" : "connected");
            WriteMember(w, "status", Status);
            WriteMember(w, "block-jobs", BlockJobs);
            WriteMember(w, "migrate", Migrate);
            w.WriteEndObject();
        });
        var raw = line.WrittenMemory[..^2]; // without CRLF, as lines read from a monitor are
        return (QmpEvent)QmpMessageParser.Parse(raw.ToArray());
    }

    private static void WriteMember(Utf8JsonWriter writer, string name, ReadOnlyMemory<byte> value)
    {
        if (value.IsEmpty) return;
        writer.WritePropertyName(name);
        writer.WriteRawValue(value.Span);
    }

    /// <summary>A command's return value; empty when the command is not offered or answers with an error.</summary>
    private static async Task<ReadOnlyMemory<byte>> QueryAsync(QmpClient client, string command, HashSet<string>? offered,
        CancellationToken cancellationToken)
    {
        if (offered is not null && !offered.Contains(command)) return default;
        var reply = await client.ExecuteAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        return reply is QmpReturn r ? r.Value : default;
    }

    /// <summary>Names from a <c>query-commands</c> return; null when unknown, so every query is tried.</summary>
    private static HashSet<string>? Offered(QmpResponse reply) =>
        QmpReplies.CommandNames(reply) is { } names ? names.ToHashSet(StringComparer.Ordinal) : null;
}

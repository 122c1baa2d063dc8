using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Appliance.Qmp.Messages;

namespace Appliance.Qmp.Replies;

/// <summary>Typed reading of the query returns the bridge asks for (the one place that knows their members). A return
/// of another shape reads as null: QEMU's replies are trusted for their meaning, not for their form.</summary>
public static class QmpReplies
{
    private static readonly QmpJsonContext Json = QmpJsonContext.Default;

    /// <summary>The <c>query-status</c> return in <paramref name="value"/> (a <see cref="QmpReturn.Value"/>), or null.</summary>
    public static StatusInfo? Status(ReadOnlyMemory<byte> value) => Read(value, Json.StatusInfo);

    /// <summary>The <c>query-status</c> return of <paramref name="reply"/>, or null for an error or another shape.</summary>
    public static StatusInfo? Status(QmpResponse reply) => reply is QmpReturn r ? Status(r.Value) : null;

    /// <summary>The <c>query-name</c> return of <paramref name="reply"/>, or null for an error or another shape.</summary>
    public static NameInfo? Name(QmpResponse reply) => reply is QmpReturn r ? Read(r.Value, Json.NameInfo) : null;

    /// <summary>The command names of a <c>query-commands</c> return, or null for an error or another shape.</summary>
    public static IReadOnlyList<string>? CommandNames(QmpResponse reply) =>
        reply is QmpReturn r && Read(r.Value, Json.CommandInfoArray) is { } commands ? [.. commands.Select(c => c.Name)] : null;

    private static T? Read<T>(ReadOnlyMemory<byte> value, JsonTypeInfo<T> typeInfo) where T : class
    {
        if (value.IsEmpty) return null;
        try
        {
            return JsonSerializer.Deserialize(value.Span, typeInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

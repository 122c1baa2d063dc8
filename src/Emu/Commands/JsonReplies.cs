using System.Text.Json;

namespace Appliance.Emu.Commands;

/// <summary>Shapes every query reply shares: a JSON array with one object per item.</summary>
internal static class JsonReplies
{
    /// <summary>Writes <c>[{...}, ...]</c>, one object per item, optionally as the member <paramref name="name"/>.</summary>
    public static void ObjectArray<T>(Utf8JsonWriter w, IEnumerable<T> items, Action<Utf8JsonWriter, T> writeMembers, string? name = null)
    {
        if (name is null) w.WriteStartArray();
        else w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            writeMembers(w, item);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}

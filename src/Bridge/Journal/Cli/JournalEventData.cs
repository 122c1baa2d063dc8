using System.Text.Json;
using Appliance.Qmp.Codec;

namespace Appliance.Bridge.Journal.Cli;

/// <summary>Finds the <c>data</c> member of a raw QMP event line, as the exact bytes it has in the line.</summary>
public static class JournalEventData
{
    /// <summary>The raw JSON of the top-level <c>data</c> member, or empty when the event has none or the line is not a JSON object.</summary>
    public static ReadOnlyMemory<byte> Find(ReadOnlyMemory<byte> rawJson)
    {
        try
        {
            var reader = new Utf8JsonReader(rawJson.Span, QmpJsonLimits.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return ReadOnlyMemory<byte>.Empty;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isData = reader.ValueTextEquals("data"u8);
                reader.Read();
                long start = reader.TokenStartIndex;
                reader.Skip();
                if (isData) return rawJson[(int)start..(int)reader.BytesConsumed];
            }
        }
        catch (JsonException)
        {
            // A malformed line was journaled as received; it simply has no data to show.
        }
        return ReadOnlyMemory<byte>.Empty;
    }
}

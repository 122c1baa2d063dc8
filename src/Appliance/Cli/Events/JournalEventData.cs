using Appliance.Qmp.Codec;
using Appliance.Qmp.Messages;

namespace Appliance.Host.Cli.Events;

/// <summary>The <c>data</c> member of a journaled event line, as the exact bytes it has in the line, read by the QMP parser
/// (the one place that knows an event's shape).</summary>
internal static class JournalEventData
{
    /// <summary>The raw JSON of the event's <c>data</c>, or empty when it has none or the line is not a QMP event.</summary>
    public static ReadOnlyMemory<byte> Find(ReadOnlyMemory<byte> rawJson)
    {
        try
        {
            return QmpMessageParser.Parse(rawJson) is QmpEvent e ? e.Data : ReadOnlyMemory<byte>.Empty;
        }
        catch (QmpProtocolException)
        {
            // A malformed line was journaled as received; it simply has no data to show.
            return ReadOnlyMemory<byte>.Empty;
        }
    }
}

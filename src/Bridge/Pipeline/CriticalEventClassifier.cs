using System.Collections.Frozen;
using System.Text.Json;
using Appliance.Qmp.Codec;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Pipeline;

/// <summary>Decides which events are critical: committed to the journal at once and shown on the alarm lamp.</summary>
/// <remarks>Built in: WATCHDOG, GUEST_PANICKED, BLOCK_IO_ERROR with action stop, BLOCK_IMAGE_CORRUPTED and
/// QUORUM_FAILURE. Configuration may add more event names (any action).</remarks>
public sealed class CriticalEventClassifier
{
    private static readonly string[] BuiltIn =
    [
        QmpEventNames.Watchdog, QmpEventNames.GuestPanicked, QmpEventNames.BlockImageCorrupted, QmpEventNames.QuorumFailure,
    ];

    private readonly FrozenSet<string> _names;

    /// <summary>Creates a classifier with the built-in set plus <paramref name="extraNames"/>.</summary>
    public CriticalEventClassifier(IEnumerable<string>? extraNames = null) =>
        _names = BuiltIn.Concat(extraNames ?? []).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when the event is critical.</summary>
    public bool IsCritical(QmpEvent qmpEvent)
    {
        ArgumentNullException.ThrowIfNull(qmpEvent);
        if (_names.Contains(qmpEvent.Name)) return true;
        return qmpEvent.Name == QmpEventNames.BlockIoError && ActionIs(qmpEvent.Data.Span, "stop"u8);
    }

    private static bool ActionIs(ReadOnlySpan<byte> data, ReadOnlySpan<byte> action)
    {
        if (data.IsEmpty) return false;
        try
        {
            var reader = new Utf8JsonReader(data, QmpJsonLimits.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isAction = reader.ValueTextEquals("action"u8);
                reader.Read();
                if (isAction) return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(action);
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed data is not critical by itself; it is journaled and counted elsewhere.
        }
        return false;
    }
}

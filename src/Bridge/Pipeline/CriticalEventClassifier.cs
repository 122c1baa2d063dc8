using System.Collections.Frozen;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Pipeline;

/// <summary>The one criticality policy: which events are critical. The monitors stamp each event with it (so the
/// journal commits it at once, the indicators latch it, the MQTT mirror shows the alarm), and the indicators' restart
/// replay asks the journal for <see cref="EventNames"/>.</summary>
/// <remarks>Built in: WATCHDOG, GUEST_PANICKED, BLOCK_IO_ERROR with action stop, BLOCK_IMAGE_CORRUPTED and
/// QUORUM_FAILURE. The configuration key <c>CriticalEvents</c> adds more event names (any data).</remarks>
public sealed class CriticalEventClassifier
{
    private static readonly string[] BuiltIn =
    [
        QmpEventNames.Watchdog, QmpEventNames.GuestPanicked, QmpEventNames.BlockImageCorrupted, QmpEventNames.QuorumFailure,
    ];

    private readonly FrozenSet<string> _names;

    /// <summary>Creates the policy: the built-in set plus <paramref name="extraNames"/> (the <c>CriticalEvents</c> key).</summary>
    public CriticalEventClassifier(IEnumerable<string>? extraNames = null)
    {
        _names = BuiltIn.Concat(extraNames ?? []).ToFrozenSet(StringComparer.Ordinal);
        EventNames = [.. _names.Append(QmpEventNames.BlockIoError).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every event name that may be critical under this policy (BLOCK_IO_ERROR only with action stop): what
    /// a reader of the journal asks for to find the critical events again.</summary>
    public IReadOnlyList<string> EventNames { get; }

    /// <summary>True when the event is critical.</summary>
    public bool IsCritical(QmpEvent qmpEvent)
    {
        ArgumentNullException.ThrowIfNull(qmpEvent);
        if (_names.Contains(qmpEvent.Name)) return true;
        // Data not of the documented shape is not critical by itself; it is journaled as received.
        return qmpEvent.Name == QmpEventNames.BlockIoError
            && QmpEventCatalog.TryRead<BlockIoErrorEvent>(qmpEvent, out var error) && error.Action == "stop";
    }
}

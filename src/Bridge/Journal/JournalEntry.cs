using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Journal;

/// <summary>One committed journal row.</summary>
/// <param name="Seq">Journal sequence number: strictly increasing, gap-free only until retention prunes.</param>
/// <param name="Vm">The VM's configured name.</param>
/// <param name="Event">The event name.</param>
/// <param name="Timestamp">The QMP timestamp (zero if the server sent none).</param>
/// <param name="Received">When the bridge read the event.</param>
/// <param name="RawJson">The event line exactly as the monitor sent it (UTF-8).</param>
/// <param name="Flags">Critical and gap flags.</param>
public sealed record JournalEntry(long Seq, string Vm, string Event, QmpTimestamp Timestamp, DateTimeOffset Received, byte[] RawJson, VmEventFlags Flags);

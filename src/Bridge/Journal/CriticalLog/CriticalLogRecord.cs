using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Journal.CriticalLog;

/// <summary>One critical event as the critical log keeps it: its number (the order the journal writer takes critical
/// events in), the VM, the hub's flags, the time it was received and the line exactly as the monitor sent it.</summary>
internal sealed record CriticalLogRecord(long Number, string Vm, VmEventFlags Flags, long ReceivedUs, byte[] Line);

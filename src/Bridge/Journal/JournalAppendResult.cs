namespace Appliance.Bridge.Journal;

/// <summary>One committed batch: its last sequence number, the raw event bytes, whether COMMIT flushed the WAL to disk,
/// and the highest critical-log number it holds (0: none; see <see cref="CriticalLog.CriticalEventLog"/>).</summary>
internal readonly record struct JournalAppendResult(long LastSeq, long Bytes, bool Flushed, long CriticalNumber = 0);

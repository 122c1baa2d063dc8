namespace Appliance.Bridge.Journal;

/// <summary>One committed batch: its last sequence number, the raw event bytes, and whether it holds a critical event.</summary>
internal readonly record struct JournalAppendResult(long LastSeq, long Bytes, bool Critical);

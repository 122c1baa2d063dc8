namespace Appliance.Bridge.Journal;

/// <summary>One committed batch: its last sequence number, the raw event bytes, and whether COMMIT flushed the WAL to disk.</summary>
internal readonly record struct JournalAppendResult(long LastSeq, long Bytes, bool Flushed);

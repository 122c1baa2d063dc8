using Appliance.Bridge.Journal;

namespace Appliance.Host.Systemd;

/// <summary>Asks systemd for more start time when the journal is about to be migrated: a migration runs before READY=1
/// and may rewrite every row in one transaction (schema 4: about 1.5 s per million rows here, more on an SBC), longer
/// than the unit's TimeoutStartSec of 30 s. Killed half-way, it would roll back and start over at every restart.</summary>
internal static class JournalMigrationNotice
{
    /// <summary>The start time asked for, from the moment of the notice.</summary>
    internal static readonly TimeSpan Allowance = TimeSpan.FromMinutes(15);

    /// <summary>Sends EXTEND_TIMEOUT_USEC and a STATUS line when <paramref name="journalPath"/> needs migrating; returns
    /// whether it did.</summary>
    internal static bool SendIfMigrating(string journalPath, SdNotifier notifier)
    {
        int pending = EventJournal.PendingMigrations(journalPath);
        return pending > 0 && notifier.Notify(
            $"EXTEND_TIMEOUT_USEC={(long)Allowance.TotalMicroseconds}\nSTATUS=migrating the journal schema ({pending} step(s)); a large journal takes minutes");
    }
}

namespace Appliance.Qmp.Events;

/// <summary>MIGRATION: the migration status changed (setup, active, completed, failed, cancelling, cancelled, ...).</summary>
public sealed record MigrationEvent(string Status) : QmpEventData;

/// <summary>MIGRATION_PASS: a dirty-bitmap sync pass started; <c>pass</c> counts from 1.</summary>
public sealed record MigrationPassEvent(long Pass) : QmpEventData;

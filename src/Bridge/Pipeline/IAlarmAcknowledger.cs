namespace Appliance.Bridge.Pipeline;

/// <summary>The one place latched alarms are acknowledged, whoever asks (MQTT, the CLI, the push button): it clears
/// them, journals who did it and what was cleared, and only then answers.</summary>
public interface IAlarmAcknowledger
{
    /// <summary>Clears the latched alarms of <paramref name="vm"/> (all VMs when null) and journals one acknowledgement
    /// per VM that had any, with <paramref name="by"/> as its source.</summary>
    /// <param name="vm">The VM, or null for all.</param>
    /// <param name="by">Who acknowledged: <c>mqtt</c>, <c>cli</c> or <c>button</c>.</param>
    /// <param name="cancellationToken">Cancels the wait for the journal's queue.</param>
    /// <returns>What was cleared, per VM; empty when nothing was latched.</returns>
    Task<IReadOnlyList<AcknowledgedAlarms>> AcknowledgeAsync(string? vm, string by, CancellationToken cancellationToken);
}

/// <summary>The alarms one acknowledgement cleared on one VM.</summary>
/// <param name="Vm">The VM.</param>
/// <param name="Alarms">The event names that were latched.</param>
public sealed record AcknowledgedAlarms(string Vm, IReadOnlyList<string> Alarms);

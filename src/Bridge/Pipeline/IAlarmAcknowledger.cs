namespace Appliance.Bridge.Pipeline;

/// <summary>The one place latched alarms are acknowledged, whoever asks (MQTT, the CLI, the push button): it clears
/// them, journals who did it and what was cleared, and only then answers. A command service: each asker is given it
/// (the indicators, which latch the alarms, implement it); the status board only shows the alarms.</summary>
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

/// <summary>The acknowledger where nothing latches alarms: every acknowledgement clears nothing.</summary>
public sealed class NoAlarmAcknowledger : IAlarmAcknowledger
{
    /// <summary>The single instance.</summary>
    public static NoAlarmAcknowledger Instance { get; } = new();

    private NoAlarmAcknowledger()
    {
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AcknowledgedAlarms>> AcknowledgeAsync(string? vm, string by, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AcknowledgedAlarms>>([]);
}

/// <summary>The alarms one acknowledgement cleared on one VM.</summary>
/// <param name="Vm">The VM.</param>
/// <param name="Alarms">The event names that were latched.</param>
public sealed record AcknowledgedAlarms(string Vm, IReadOnlyList<string> Alarms);

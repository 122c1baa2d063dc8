using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Pipeline;

/// <summary>Sends a QMP command to a VM's monitor on behalf of another part of the appliance (MQTT commands, CLI).</summary>
public interface IVmCommandGateway
{
    /// <summary>Names of the VMs that currently have a monitor.</summary>
    IReadOnlyCollection<string> VmNames { get; }

    /// <summary>Executes <paramref name="command"/> on VM <paramref name="vm"/> and returns the server's reply.</summary>
    /// <param name="vm">The VM's configured name.</param>
    /// <param name="command">The QMP command name.</param>
    /// <param name="arguments">Raw JSON object of arguments, or empty.</param>
    /// <param name="cancellationToken">Cancels the wait (the command may still run on the server).</param>
    /// <exception cref="KeyNotFoundException">No VM of that name.</exception>
    /// <exception cref="InvalidOperationException">The monitor is not connected.</exception>
    Task<QmpResponse> ExecuteAsync(string vm, string command, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken);
}

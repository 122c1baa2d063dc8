using System.Collections.Concurrent;
using System.Text;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>An <see cref="IVmCommandGateway"/> that records what it was asked and answers like QEMU would.</summary>
internal sealed class FakeGateway(params string[] vms) : IVmCommandGateway
{
    public ConcurrentQueue<(string Vm, string Command, string Arguments)> Executed { get; } = new();

    public IReadOnlyCollection<string> VmNames => vms;

    /// <summary>A command this gateway fails with an unexpected exception, as a broken monitor might.</summary>
    public string? ThrowOn { get; set; }

    public Task<QmpResponse> ExecuteAsync(string vm, string command, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!vms.Contains(vm)) throw new KeyNotFoundException(vm);
        if (command == ThrowOn) throw new IOException("monitor socket broke");
        Executed.Enqueue((vm, command, Encoding.UTF8.GetString(arguments.Span)));
        byte[] value = command == "query-status" ? """{"status": "running", "running": true}"""u8.ToArray() : "{}"u8.ToArray();
        return Task.FromResult<QmpResponse>(new QmpReturn(value, default, value));
    }
}

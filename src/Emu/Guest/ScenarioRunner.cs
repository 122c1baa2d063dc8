using System.Buffers;
using System.Text;
using System.Text.Json;
using Appliance.Emu.Commands;
using Appliance.Emu.Machine;
using Appliance.Qmp.Messages;
using Microsoft.Extensions.Logging;

namespace Appliance.Emu.Guest;

/// <summary>Plays a scenario on the machine's clock: each step is one timer, run as a QMP command would be.</summary>
internal sealed class ScenarioRunner(VirtualMachine vm, ScenarioDocument scenario, double speed)
{
    private readonly QmpRequest[] _requests = [.. scenario.Steps.Select(ToRequest)];
    private int _next;

    /// <summary>Schedules the first step. Call with the machine lock held.</summary>
    public void Start() => ScheduleNext();

    private void ScheduleNext()
    {
        if (_next >= _requests.Length)
        {
            if (!scenario.Loop) return;
            _next = 0;
        }
        var delay = TimeSpan.FromSeconds(scenario.Steps[_next].Delay / speed);
        vm.Clock.After(delay, RunStep);
    }

    private void RunStep()
    {
        if (vm.HasExited) return;
        var request = _requests[_next++];
        var reply = new ArrayBufferWriter<byte>(128);
        var result = CommandDispatcher.Execute(vm, request, reply);
        if (result.IsError)
        {
            vm.Logger.LogDebug("scenario step {Command} refused: {Reply}", request.Command, Encoding.UTF8.GetString(reply.WrittenSpan));
        }
        ScheduleNext();
    }

    private static QmpRequest ToRequest(ScenarioStep step)
    {
        var args = step.Arguments is { ValueKind: JsonValueKind.Object } a ? Encoding.UTF8.GetBytes(a.GetRawText()) : [];
        return new QmpRequest(step.Execute, args, default);
    }
}

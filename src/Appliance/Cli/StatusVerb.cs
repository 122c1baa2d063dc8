using System.CommandLine;
using System.Text.Json;
using Appliance.Host.Configuration;
using Appliance.Host.Control;
using Appliance.Host.Dashboard;

namespace Appliance.Host.Cli;

/// <summary><c>appliance status</c>, <c>appliance top</c> and <c>appliance ack</c>: ask the running appliance over its control socket.</summary>
internal static class StatusVerb
{
    public static Command CreateStatus()
    {
        var socket = CommonOptions.Socket();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show the running appliance's monitors, MQTT link and backlog, journal, indicators and alarms") { socket, json };
        command.SetAction(async (parse, ct) =>
        {
            byte[] reply;
            try
            {
                reply = await ControlClient.SendAsync(SocketPath(parse.GetValue(socket)), ControlProtocol.Request("status"), ct).ConfigureAwait(false);
            }
            catch (ControlUnavailableException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Unavailable);
            }
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(reply);
                stdout.Write("\n"u8);
                return ExitCodes.Ok;
            }
            using var doc = JsonDocument.Parse(reply);
            foreach (var line in HealthLines(doc.RootElement)) Console.WriteLine(line);
            foreach (var line in DashboardRenderer.Render(doc.RootElement, Console.IsOutputRedirected ? 160 : Console.WindowWidth))
            {
                Console.WriteLine(Console.IsOutputRedirected ? AnsiText.Strip(line) : line);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateTop()
    {
        var socket = CommonOptions.Socket();
        var command = new Command("top", "Live dashboard of a running appliance (Ctrl+C to leave)") { socket };
        command.SetAction(async (parse, ct) =>
        {
            string path = SocketPath(parse.GetValue(socket));
            using var frames = new TerminalFrameWriter(Console.Out);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                do
                {
                    byte[] reply = await ControlClient.SendAsync(path, ControlProtocol.Request("status"), ct).ConfigureAwait(false);
                    using var doc = JsonDocument.Parse(reply);
                    frames.Draw(DashboardRenderer.Render(doc.RootElement, Console.IsOutputRedirected ? 120 : Console.WindowWidth));
                }
                while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Ok;
            }
            catch (ControlUnavailableException e)
            {
                frames.Dispose();
                return CliErrors.Report(e.Message, ExitCodes.Unavailable);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateAck()
    {
        var socket = CommonOptions.Socket();
        var vm = new Argument<string?>("vm") { Description = "The VM whose latched alarms to acknowledge (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("ack", "Acknowledge latched alarms on the running appliance") { socket, vm };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                byte[] reply = await ControlClient.SendAsync(SocketPath(parse.GetValue(socket)), ControlProtocol.Request("ack", parse.GetValue(vm)), ct).ConfigureAwait(false);
                using var doc = JsonDocument.Parse(reply);
                if (doc.RootElement.TryGetProperty("error", out var error)) return CliErrors.Report(error.GetString() ?? "error", ExitCodes.Failure);
                foreach (string line in AcknowledgementLines(doc.RootElement)) Console.WriteLine(line);
                return ExitCodes.Ok;
            }
            catch (ControlUnavailableException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Unavailable);
            }
        });
        return command;
    }

    /// <summary>What an acknowledgement cleared, one line per VM, or that nothing was latched.</summary>
    internal static IEnumerable<string> AcknowledgementLines(JsonElement reply)
    {
        var cleared = reply.TryGetProperty("cleared", out var c) ? c.EnumerateArray().ToList() : [];
        if (cleared.Count == 0) yield return "nothing to acknowledge: no alarm was latched";
        foreach (var vm in cleared)
        {
            yield return $"acknowledged {vm.GetProperty("vm").GetString()}: {string.Join(", ", vm.GetProperty("alarms").EnumerateArray().Select(a => a.GetString()))}";
        }
    }

    /// <summary>The overall health, then one line per component that is not Healthy, with its reason.</summary>
    internal static IEnumerable<string> HealthLines(JsonElement status)
    {
        if (!status.TryGetProperty("health", out var health)) yield break;
        yield return $"health: {health.GetProperty("status").GetString()}";
        foreach (var check in health.GetProperty("checks").EnumerateArray())
        {
            string? state = check.GetProperty("status").GetString();
            if (state == "Healthy") continue;
            yield return $"  {state} {check.GetProperty("name").GetString()}: {check.GetProperty("reason").GetString()}";
        }
    }

    private static string SocketPath(string? given) =>
        given ?? Path.Combine(Environment.GetEnvironmentVariable("APPLIANCE__RUNTIMEDIRECTORY") ?? ApplianceOptions.DefaultRuntimeDirectory(), ControlProtocol.SocketFileName);
}

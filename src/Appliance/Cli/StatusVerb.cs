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
            foreach (var line in DashboardRenderer.Render(doc.RootElement, TerminalSize().Width))
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
        var command = new Command("top", "Live dashboard of a running appliance (q or Ctrl+C to leave)") { socket };
        command.SetAction(async (parse, ct) =>
        {
            string path;
            try
            {
                path = SocketPath(parse.GetValue(socket));
                // Reach the appliance once before taking over the screen, so an error stays readable.
                await ControlClient.SendAsync(path, ControlProtocol.Request("status"), ct).ConfigureAwait(false);
            }
            catch (ControlUnavailableException e)
            {
                return CliErrors.Report(e.Message, ExitCodes.Unavailable);
            }
            using var quit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var keys = QuitKey.WatchAsync(quit, quit.Token);
            string? failure = null;
            using (var frames = new TerminalFrameWriter(Console.Out))
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                try
                {
                    do
                    {
                        byte[] reply = await ControlClient.SendAsync(path, ControlProtocol.Request("status"), quit.Token).ConfigureAwait(false);
                        using var doc = JsonDocument.Parse(reply);
                        var (width, height) = TerminalSize();
                        frames.Draw(DashboardRenderer.Render(doc.RootElement, width, height, hint: "q or Ctrl+C quits"));
                    }
                    while (await timer.WaitForNextTickAsync(quit.Token).ConfigureAwait(false));
                }
                catch (OperationCanceledException)
                {
                    // q or Ctrl+C.
                }
                catch (ControlUnavailableException e)
                {
                    failure = e.Message;
                }
            }
            await quit.CancelAsync().ConfigureAwait(false);
            await keys.ConfigureAwait(false);
            return failure is null ? ExitCodes.Ok : CliErrors.Report(failure, ExitCodes.Unavailable);
        });
        return command;
    }

    /// <summary>The terminal's columns and rows (a generous fixed size when output is not a terminal).</summary>
    internal static (int Width, int Height) TerminalSize() =>
        Console.IsOutputRedirected ? (160, int.MaxValue) : (Math.Max(40, Console.WindowWidth), Math.Max(12, Console.WindowHeight));

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

    /// <summary>The socket to use (<see cref="ApplianceLocator"/>); a broken system configuration file throws
    /// <see cref="ControlUnavailableException"/> naming it.</summary>
    private static string SocketPath(string? given)
    {
        try
        {
            return ApplianceLocator.SocketPath(given);
        }
        catch (ConfigurationFileException e)
        {
            throw new ControlUnavailableException(e.Message);
        }
    }
}

using Appliance.Qmp;
using System.CommandLine;
using System.Globalization;
using Appliance.Emu;
using Microsoft.Extensions.Logging;

namespace Appliance.Host.Cli;

/// <summary><c>appliance emu</c>: run emulated VMs on their own QMP sockets, without the rest of the appliance.
/// Options mirror QEMU's: <c>-S</c>, <c>-no-shutdown</c>, <c>-watchdog-action</c>, <c>-action panic=</c>.</summary>
internal static class EmuVerb
{
    public static Command Create()
    {
        var qmp = new Option<string[]>("--qmp")
        {
            Description = "A QMP endpoint, unix:PATH or tcp:HOST:PORT; each one is a VM (repeatable). With --count, {n} in it numbers the VMs",
            HelpName = "ENDPOINT",
        };
        var connect = new Option<string[]>("--connect")
        {
            Description = "Dial this client's socket instead of waiting for it, and redial every 2 s after it goes away, like QEMU's -chardev socket,path=PATH,reconnect=2 (repeatable; every VM dials each)",
            HelpName = "ENDPOINT",
        };
        var count = new Option<int>("--count") { Description = "Start this many VMs from each --qmp pattern containing {n}", DefaultValueFactory = _ => 1, HelpName = "N" };
        var name = new Option<string?>("--name") { Description = "VM name (default: from the socket file name, or vmN)", HelpName = "NAME" };
        var paused = new Option<bool>("-S", "--paused") { Description = "Start paused in prelaunch, like QEMU's -S" };
        var noShutdown = new Option<bool>("--no-shutdown") { Description = "Stop instead of exiting on guest power-off, like -no-shutdown" };
        var watchdog = new Option<string>("--watchdog-action") { Description = "reset, shutdown, poweroff, pause, debug, none, inject-nmi", DefaultValueFactory = _ => "reset" };
        var panic = new Option<string>("--panic-action") { Description = "pause, poweroff, run", DefaultValueFactory = _ => "pause" };
        var scenario = new Option<string?>("--scenario") { Description = "Scenario file driving the guest (docs/emulator.md)", HelpName = "FILE" };
        var speed = new Option<double>("--speed") { Description = "Scenario time multiplier", DefaultValueFactory = _ => 1.0 };
        var qemuVersion = new Option<string>("--qemu-version")
        {
            Description = $"QEMU release to pose as ({Appliance.Emu.Personas.QemuPersona.Names}): greeting version and events",
            DefaultValueFactory = _ => Appliance.Emu.Personas.QemuPersona.Default.Name,
            HelpName = "VERSION",
        };
        var vnc = new Option<int?>("--vnc") { Description = "Serve VNC (RFB) on this loopback port (0: any free port)", HelpName = "PORT" };
        var command = new Command("emu", "Run emulated VMs that speak QMP, for testing clients or as a load generator")
        {
            qmp, connect, count, name, paused, noShutdown, watchdog, panic, scenario, speed, qemuVersion, vnc,
        };
        command.SetAction(async (parse, ct) =>
        {
            var vms = new List<EmulatedVmOptions>();
            int n = parse.GetValue(count);
            if (n < 1) return CliErrors.Report($"--count {n}: must be 1 or more", ExitCodes.Usage);
            if (!Appliance.Emu.Personas.QemuPersona.TryParse(parse.GetValue(qemuVersion), out var persona))
            {
                return CliErrors.Report($"--qemu-version '{parse.GetValue(qemuVersion)}': not one of {Appliance.Emu.Personas.QemuPersona.Names}", ExitCodes.Usage);
            }
            var dial = new List<QmpEndpoint>();
            foreach (string text in parse.GetValue(connect) ?? [])
            {
                if (!QmpEndpoint.TryParse(text, out var endpoint, out var error)) return CliErrors.Report($"--connect '{text}': {error}", ExitCodes.Usage);
                dial.Add(endpoint);
            }
            string[] patterns = parse.GetValue(qmp) ?? [];
            if (patterns.Length == 0 && dial.Count == 0) return CliErrors.Report("give --qmp ENDPOINT (listen) or --connect ENDPOINT (dial), or both", ExitCodes.Usage);
            // Without --qmp, --count VMs that only dial.
            IEnumerable<string?> sources = patterns.Length > 0 ? patterns : Enumerable.Repeat<string?>(null, n);
            foreach (string? pattern in sources)
            {
                int copies = pattern is not null && pattern.Contains("{n}", StringComparison.Ordinal) ? n : 1;
                for (int i = 1; i <= copies; i++)
                {
                    QmpEndpoint? endpoint = null;
                    if (pattern is not null)
                    {
                        string text = pattern.Replace("{n}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
                        if (!QmpEndpoint.TryParse(text, out endpoint, out var error)) return CliErrors.Report($"--qmp '{text}': {error}", ExitCodes.Usage);
                    }
                    var options = new EmulatedVmOptions
                    {
                        Name = parse.GetValue(name) is { } given ? (vms.Count == 0 ? given : $"{given}{vms.Count + 1}") : DefaultName(endpoint, vms.Count + 1),
                        StartPaused = parse.GetValue(paused),
                        NoShutdown = parse.GetValue(noShutdown),
                        WatchdogAction = parse.GetValue(watchdog)!,
                        PanicAction = parse.GetValue(panic)!,
                        ScenarioPath = parse.GetValue(scenario),
                        ScenarioSpeed = parse.GetValue(speed),
                        Persona = persona,
                        VncEnabled = parse.GetValue(vnc) is not null,
                        VncPort = parse.GetValue(vnc) ?? 0,
                    };
                    if (endpoint is not null) options.QmpEndpoints.Add(endpoint);
                    foreach (var d in dial) options.QmpConnect.Add(d);
                    // The emulator trusts its options: checked once, here.
                    if (options.Problems() is [_, ..] problems) return CliErrors.Report(string.Join("; ", problems), ExitCodes.Usage);
                    vms.Add(options);
                }
            }

            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; }).SetMinimumLevel(LogLevel.Information));
            var host = new EmulatorHost(TimeProvider.System, loggers);
            await using var hostScope = host.ConfigureAwait(false);
            foreach (var vm in vms) host.Add(vm);
            try
            {
                await host.StartAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ScenarioException or UnauthorizedAccessException)
            {
                return CliErrors.Report(e.Message, ExitCodes.Failure);
            }
            Console.Error.WriteLine(dial.Count == 0
                ? $"appliance emu: {vms.Count} VM(s) serving QMP; Ctrl+C to stop"
                : $"appliance emu: {vms.Count} VM(s) serving QMP, dialling {string.Join(", ", dial)}; Ctrl+C to stop");
            try
            {
                // Like QEMU, the process ends when its (last) VM quits.
                await host.WhenAllExited.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGINT/SIGTERM: stop the VMs.
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string DefaultName(QmpEndpoint? endpoint, int index) =>
        endpoint is { Kind: QmpEndpointKind.Unix } ? Path.GetFileNameWithoutExtension(endpoint.Address) : $"vm{index}";
}

using System.CommandLine;
using System.Reflection;

namespace Appliance.Host.Cli;

/// <summary>The <c>appliance</c> command line: verbs and their options. <c>run</c> is the default verb.</summary>
internal static class ApplianceCli
{
    private static readonly string[] Verbs = ["run", "emu", "events", "gpio", "status", "top", "ack", "config", "--help", "-h", "-?", "--version"];

    /// <summary>The product version, from the assembly's informational version.</summary>
    public static string Version =>
        typeof(ApplianceCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static RootCommand Create()
    {
        var run = RunVerb.Create(out _);
        var root = new RootCommand("Appliance: QMP events from emulated and real VMs, stored durably, mirrored to MQTT, shown on GPIO lamps")
        {
            run,
            EmuVerb.Create(),
            EventsVerb.Create(),
            GpioVerb.Create(),
            StatusVerb.CreateStatus(),
            StatusVerb.CreateTop(),
            StatusVerb.CreateAck(),
            ConfigVerb.Create(),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // `appliance --vm ...` means `appliance run --vm ...`: run is the default verb.
        if (args.Length == 0 || (args[0].StartsWith('-') && !Verbs.Contains(args[0]))) args = ["run", .. args];
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"appliance: {error.Message}");
            Console.Error.WriteLine("appliance: see 'appliance --help'");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CliErrors.Report($"{e.GetType().Name}: {e.Message}", ExitCodes.Failure);
        }
    }
}

using System.Reflection;

namespace Appliance.Host.Cli;

/// <summary>The <c>appliance</c> command line: verbs and their options.</summary>
internal static class ApplianceCli
{
    /// <summary>The product version, from the assembly's informational version.</summary>
    public static string Version =>
        typeof(ApplianceCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static Task<int> RunAsync(string[] args)
    {
        if (args is ["--version"])
        {
            Console.WriteLine($"appliance {Version}");
            return Task.FromResult(0);
        }
        Console.Error.WriteLine("appliance: not implemented yet");
        return Task.FromResult(2);
    }
}

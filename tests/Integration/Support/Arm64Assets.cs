using Appliance.TestSupport.Files;

namespace Appliance.Integration.Support;

/// <summary>What the arm64 tests run, from <c>scripts/arm64-assets.sh</c>: the linux-arm64 NativeAOT binary (published
/// once per source hash, cached under out/arm64), and for the VM Debian's arm64 kernel and a base initramfs.
/// <c>scripts/test.sh</c> builds them before the tests start; here the script only confirms the cache.</summary>
internal sealed class Arm64Assets
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly Dictionary<string, Arm64Assets> Built = [];

    private Arm64Assets(IReadOnlyDictionary<string, string> values) => Values = values;

    private IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The arm64 <c>appliance</c> (boards/ beside it).</summary>
    public string Binary => Values["BINARY"];

    /// <summary>Debian's arm64 kernel image.</summary>
    public string Kernel => Values["KERNEL"];

    /// <summary>The kernel's ABI, for example 6.1.0-57.</summary>
    public string KernelAbi => Values["KERNEL_ABI"];

    /// <summary>The base initramfs (busybox, the binary, its libraries, an /init that runs /test/run.sh).</summary>
    public string Initramfs => Values["INITRAMFS"];

    /// <summary>Why an arm64 test cannot run here (a tool is missing), or null.</summary>
    public static string? MissingTool(params string[] tools)
    {
        var missing = tools.Where(t => !OnPath(t)).ToList();
        return missing.Count == 0 ? null : $"{string.Join(", ", missing)} not installed: run scripts/ensure-deps.sh aot";
    }

    /// <summary>Runs the script for <paramref name="what"/> (<c>binary</c> or <c>vm</c>) once per test run.</summary>
    public static async Task<Arm64Assets> GetAsync(string what)
    {
        await Once.WaitAsync();
        try
        {
            if (Built.TryGetValue(what, out var done)) return done;
            var (exit, stdout, stderr) = await ToolRun.RunAsync("bash", ["scripts/arm64-assets.sh", what], TimeSpan.FromMinutes(15), RepoPaths.Root);
            if (exit != 0) throw new InvalidOperationException($"scripts/arm64-assets.sh {what} failed ({exit}):\n{stderr}");
            var values = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
            return Built[what] = new Arm64Assets(values);
        }
        finally
        {
            Once.Release();
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
}

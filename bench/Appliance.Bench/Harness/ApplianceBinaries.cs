using Appliance.TestSupport.Files;
namespace Appliance.Bench.Harness;

/// <summary>The two builds of the <c>appliance</c> executable compared side by side.</summary>
public static class ApplianceBinaries
{
    /// <summary>The NativeAOT binary scripts/publish-aot.sh writes (in $APPLIANCE_AOT_DIR when set, as scripts/bench.sh sets it).</summary>
    public static string Aot => Path.Combine(
        Environment.GetEnvironmentVariable("APPLIANCE_AOT_DIR") is { Length: > 0 } dir ? Path.GetFullPath(dir, RepoPaths.Root) : Path.Combine(RepoPaths.Root, "out", "aot", "linux-x64"),
        "appliance");

    /// <summary>True when the NativeAOT binary exists and no source under src/ is newer: a stale binary from an
    /// earlier checkout would measure (or fail with) code that is no longer there.</summary>
    public static bool AotIsCurrent
    {
        get
        {
            if (!File.Exists(Aot)) return false;
            var built = File.GetLastWriteTimeUtc(Aot);
            return !new DirectoryInfo(Path.Combine(RepoPaths.Root, "src")).EnumerateFiles("*", SearchOption.AllDirectories)
                .Where(f => f.Extension is ".cs" or ".csproj" && !f.FullName.Contains("/obj/", StringComparison.Ordinal) && !f.FullName.Contains("/bin/", StringComparison.Ordinal))
                .Any(f => f.LastWriteTimeUtc > built);
        }
    }

    /// <summary>The JIT build's apphost, copied next to this harness (which references src/Appliance).</summary>
    public static string Jit => Path.Combine(AppContext.BaseDirectory, "appliance");

    /// <summary>Bytes a framework-dependent JIT deployment ships besides the shared .NET runtime: src/Appliance's own
    /// build folder (Release when built, else Debug) without symbols, docs and other platforms' native libraries.</summary>
    public static long JitDeploymentBytes()
    {
        string bin = Path.Combine(RepoPaths.Root, "src", "Appliance", "bin");
        // A folder holding only a publish's runtime subfolder (scripts/publish-aot.sh) is not a build.
        string folder = new[] { "Release", "Debug" }.Select(c => Path.Combine(bin, c, "net10.0"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "appliance.dll"))) ?? AppContext.BaseDirectory;
        return new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is not ".pdb" and not ".xml")
            .Where(f => !f.FullName.Contains("/runtimes/", StringComparison.Ordinal) || f.FullName.Contains("/runtimes/linux-x64/", StringComparison.Ordinal))
            .Sum(f => f.Length);
    }
}

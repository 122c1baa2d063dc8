namespace Appliance.Bench.Harness;

/// <summary>The two builds of the <c>appliance</c> executable compared side by side.</summary>
public static class ApplianceBinaries
{
    /// <summary>The NativeAOT binary scripts/publish-aot.sh writes.</summary>
    public static string Aot => Path.Combine(RepoPaths.Root, "out", "aot", "linux-x64", "appliance");

    /// <summary>The framework-dependent JIT build's folder (Release, built with this harness, which references it).</summary>
    public static string JitFolder => Path.Combine(RepoPaths.Root, "src", "Appliance", "bin", "Release", "net10.0");

    /// <summary>The JIT build's apphost.</summary>
    public static string Jit => Path.Combine(JitFolder, "appliance");

    /// <summary>Bytes a JIT deployment ships besides the shared .NET runtime: the build folder without symbols and docs.</summary>
    public static long JitDeploymentBytes() => new DirectoryInfo(JitFolder).EnumerateFiles("*", SearchOption.AllDirectories)
        .Where(f => f.Extension is not ".pdb" and not ".xml")
        .Sum(f => f.Length);
}

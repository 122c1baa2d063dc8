namespace Appliance.Bench.Harness;

/// <summary>Where the repository is, found from the working directory or the binary (the folder holding Appliance.sln).</summary>
public static class RepoPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException("Appliance.sln not found above the working directory or the benchmark binary");

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) return dir.FullName;
        }
        return null;
    }
}

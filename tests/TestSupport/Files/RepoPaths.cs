namespace Appliance.TestSupport.Files;

/// <summary>The repository root (the folder holding Appliance.sln), found from the working directory or the binary.</summary>
public static class RepoPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException("Appliance.sln not found above the working directory or " + AppContext.BaseDirectory);

    /// <summary>A path inside the repository.</summary>
    public static string File(string relative) => Path.Combine(Root, relative);

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) return dir.FullName;
        }
        return null;
    }
}

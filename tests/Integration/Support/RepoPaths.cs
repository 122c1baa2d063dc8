namespace Appliance.Integration.Support;

/// <summary>Paths inside the repository and the build output, found from the test assembly's location.</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root (Appliance.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The JIT build of the appliance, copied next to the tests by the project reference.</summary>
    public static string ApplianceDll => Path.Combine(AppContext.BaseDirectory, "appliance.dll");
}

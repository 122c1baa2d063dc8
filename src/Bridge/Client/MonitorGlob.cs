namespace Appliance.Bridge.Client;

/// <summary>A glob of monitor sockets such as <c>/run/qemu/*.qmp</c>: a fixed directory and a file-name pattern.</summary>
internal sealed class MonitorGlob
{
    private MonitorGlob(string directory, string pattern)
    {
        Directory = directory;
        Pattern = pattern;
    }

    public string Directory { get; }

    public string Pattern { get; }

    /// <summary>What is wrong with <paramref name="glob"/>, or null when it is usable.</summary>
    public static string? Describe(string glob)
    {
        if (string.IsNullOrWhiteSpace(glob)) return "is empty";
        if (!Path.IsPathFullyQualified(glob)) return $"'{glob}' must be an absolute path";
        string? dir = Path.GetDirectoryName(glob);
        string pattern = Path.GetFileName(glob);
        if (string.IsNullOrEmpty(dir) || pattern.Length == 0) return $"'{glob}' needs a directory and a file pattern";
        if (dir.AsSpan().IndexOfAny('*', '?') >= 0) return $"'{glob}' may have wildcards in the file name only";
        return null;
    }

    public static MonitorGlob Parse(string glob)
    {
        if (Describe(glob) is { } error) throw new ArgumentException($"monitor glob {error}", nameof(glob));
        return new MonitorGlob(Path.GetDirectoryName(glob)!, Path.GetFileName(glob));
    }

    /// <summary>VM name to socket path for every file matching now (none when the directory is missing).</summary>
    public IReadOnlyDictionary<string, string> Scan()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory, Pattern))
            {
                string name = Path.GetFileNameWithoutExtension(path);
                if (VmMonitorOptions.IsValidName(name)) found.TryAdd(name, path);
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            // A missing or unreadable directory means no VMs right now; it may appear later.
        }
        return found;
    }
}

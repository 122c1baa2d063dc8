namespace Appliance.Bench.Journal;

/// <summary>This process's bytes sent to the storage layer (<c>write_bytes</c> in /proc/self/io); 0 where the file is absent.</summary>
internal static class ProcessIo
{
    public static long WriteBytes()
    {
        const string path = "/proc/self/io";
        if (!File.Exists(path)) return 0;
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(12).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}

using System.Globalization;

namespace Appliance.Bench.Harness;

/// <summary>What the figures were measured on, read from /proc.</summary>
public static class MachineInfo
{
    /// <summary>One line: CPU model, cores, memory, kernel, runtime.</summary>
    public static string Describe()
    {
        string model = ReadField("/proc/cpuinfo", "model name") ?? "unknown CPU";
        string memory = ReadField("/proc/meminfo", "MemTotal") ?? "? kB";
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?";
        long kib = long.TryParse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long k) ? k : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({model}), {kib / 1024.0 / 1024.0:F1} GiB RAM, Linux {kernel}, .NET {Environment.Version}");
    }

    private static string? ReadField(string file, string name)
    {
        if (!File.Exists(file)) return null;
        foreach (string line in File.ReadLines(file))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == name) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}

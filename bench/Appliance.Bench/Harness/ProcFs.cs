using System.Globalization;

namespace Appliance.Bench.Harness;

/// <summary>Memory and I/O figures of a process from /proc.</summary>
public static class ProcFs
{
    /// <summary>Resident set size in KiB (<c>VmRSS</c> of /proc/PID/status); 0 when the process is gone.</summary>
    public static long ResidentKib(int pid) => ReadKib($"/proc/{pid}/status", "VmRSS:");

    /// <summary>Peak resident set size of this process in KiB (<c>VmHWM</c>).</summary>
    public static long PeakResidentKibOfSelf() => ReadKib("/proc/self/status", "VmHWM:");

    /// <summary>Bytes this process caused to be sent to the storage layer (<c>write_bytes</c> of /proc/self/io).</summary>
    public static long WriteBytesOfSelf()
    {
        foreach (string line in File.ReadLines("/proc/self/io"))
        {
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(12).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException("/proc/self/io has no write_bytes line");
    }

    private static long ReadKib(string file, string prefix)
    {
        try
        {
            foreach (string line in File.ReadLines(file))
            {
                if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
                string number = line[prefix.Length..].Trim().Split(' ')[0];
                return long.Parse(number, NumberStyles.Integer, CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // The process exited while we read.
        }
        return 0;
    }
}

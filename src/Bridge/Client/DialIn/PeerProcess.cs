using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Bridge.Client.DialIn;

/// <summary>The process at the other end of a unix socket: its pid (SO_PEERCRED, fixed when it connected) and the
/// VM identity on its command line.</summary>
internal static class PeerProcess
{
    // Linux values on every architecture the appliance runs on (asm-generic and x86 agree).
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Longest command line read; QEMU's are a few KiB.</summary>
    private const int MaxCmdlineBytes = 64 * 1024;

    /// <summary>The peer's pid, or null when the kernel does not say (not a unix socket, or the call failed).</summary>
    public static int? PeerPid(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < 4) return null;
        }
        catch (SocketException)
        {
            return null;
        }
        int pid = BinaryPrimitives.ReadInt32LittleEndian(ucred);
        return pid > 0 ? pid : null;
    }

    /// <summary>The arguments of a running process, or empty when it is gone or not readable.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            using var file = new FileStream($"/proc/{pid}/cmdline", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var buffer = new byte[MaxCmdlineBytes];
            int total = 0, read;
            while (total < buffer.Length && (read = file.Read(buffer, total, buffer.Length - total)) > 0) total += read;
            return Encoding.UTF8.GetString(buffer, 0, total).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The VM name a QEMU command line gives: <c>-name NAME</c> (also <c>guest=NAME,...</c>), else <c>-uuid</c>.</summary>
    public static string? VmIdentity(IReadOnlyList<string> args)
    {
        string? uuid = null;
        for (int i = 0; i + 1 < args.Count; i++)
        {
            string option = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][1..] : args[i];
            if (option == "-name" && NameValue(args[i + 1]) is { Length: > 0 } name) return name;
            if (option == "-uuid") uuid ??= args[i + 1];
        }
        return uuid;
    }

    // -name accepts "NAME", "NAME,process=P" and "guest=NAME,debug-threads=on"; a ",," is an escaped comma.
    private static string NameValue(string value)
    {
        foreach (string part in value.Replace(",,", "\u0001", StringComparison.Ordinal).Split(','))
        {
            string p = part.Replace('\u0001', ',');
            if (p.StartsWith("guest=", StringComparison.Ordinal)) return p["guest=".Length..];
            if (!p.Contains('=', StringComparison.Ordinal)) return p;
        }
        return "";
    }
}

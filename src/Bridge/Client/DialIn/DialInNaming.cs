using System.Text;
using Appliance.Qmp.Replies;

namespace Appliance.Bridge.Client.DialIn;

/// <summary>Names a VM whose QEMU dialled in: <c>query-name</c> when QEMU has <c>-name</c>, else the peer process's
/// <c>-name</c> or <c>-uuid</c>, else <c>pid-N</c>. Every name is made usable in topics and file names.</summary>
internal static class DialInNaming
{
    /// <summary>Asks the monitor, then the peer process.</summary>
    public static async Task<string> NameAsync(QmpClient client, int? peerPid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await client.ExecuteAsync("query-name", timeout: timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (QmpReplies.Name(reply)?.Name is { Length: > 0 } fromQemu && Sanitize(fromQemu) is { } name)
        {
            return name;
        }
        return FromPeer(peerPid);
    }

    /// <summary>The name from the peer's command line, or <c>pid-N</c>; <c>peer-unknown</c> without a pid.</summary>
    public static string FromPeer(int? peerPid)
    {
        if (peerPid is not { } pid) return "peer-unknown";
        return PeerProcess.VmIdentity(PeerProcess.CommandLine(pid)) is { } identity && Sanitize(identity) is { } name
            ? name
            : $"pid-{pid}";
    }

    /// <summary>Replaces what <see cref="VmMonitorOptions.IsValidName"/> refuses with '_', and cuts to 64 characters;
    /// null when nothing usable is left.</summary>
    public static string? Sanitize(string name)
    {
        var s = new StringBuilder(Math.Min(name.Length, 64));
        foreach (char c in name)
        {
            if (s.Length == 64) break;
            s.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }
        string result = s.ToString();
        return result.Trim('_').Length == 0 ? null : result;
    }
}

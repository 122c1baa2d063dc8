using System.Globalization;

namespace Appliance.Host.Cli;

/// <summary>Turns the options of <c>appliance run</c> into configuration keys (the last configuration layer).</summary>
internal static class RunOverrides
{
    /// <summary>Builds the overrides, or returns an error naming the bad option.</summary>
    public static Dictionary<string, string?> Build(IReadOnlyList<string> vms, string? journal, string? mqtt, string? board, string? dashboard, out string? error)
        => Build(vms, [], journal, mqtt, board, dashboard, out error);

    /// <summary>Builds the overrides, with the sockets QEMU dials in on (<c>--listen</c>), or returns an error naming the bad option.</summary>
    public static Dictionary<string, string?> Build(IReadOnlyList<string> vms, IReadOnlyList<string> listen, string? journal, string? mqtt, string? board, string? dashboard, out string? error)
    {
        error = null;
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < vms.Count; i++)
        {
            int eq = vms[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == vms[i].Length - 1)
            {
                error = $"--vm '{vms[i]}': expected NAME=unix:PATH or NAME=tcp:HOST:PORT";
                return overrides;
            }
            overrides[$"Monitors:Vms:{i}:Name"] = vms[i][..eq];
            overrides[$"Monitors:Vms:{i}:Endpoint"] = vms[i][(eq + 1)..];
        }
        for (int i = 0; i < listen.Count; i++)
        {
            if (!Appliance.Qmp.QmpEndpoint.TryParse(listen[i], out var endpoint, out string? problem) || endpoint.Kind != Appliance.Qmp.QmpEndpointKind.Unix)
            {
                error = $"--listen '{listen[i]}': expected unix:PATH{(problem is null ? "" : $" ({problem})")}";
                return overrides;
            }
            overrides[$"Monitors:Listen:{i}"] = listen[i];
        }
        // Attaching to given monitors means only those: no emulated VM.
        if (vms.Count > 0 || listen.Count > 0) overrides["Emulator:Enabled"] = "false";
        if (journal is not null) overrides["Journal:Path"] = journal;
        if (board is not null) overrides["Indicators:Board"] = board;
        if (dashboard is not null) overrides["Dashboard"] = dashboard;
        if (mqtt is not null)
        {
            int colon = mqtt.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(mqtt[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                error = $"--mqtt '{mqtt}': expected HOST:PORT with a port from 1 to 65535";
                return overrides;
            }
            overrides["Mqtt:Broker:Host"] = mqtt[..colon];
            overrides["Mqtt:Broker:Port"] = port.ToString(CultureInfo.InvariantCulture);
        }
        return overrides;
    }
}

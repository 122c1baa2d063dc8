using System.Globalization;
using System.Net;

namespace Appliance.Host.Metrics;

/// <summary>The <c>Metrics</c> section: where the Prometheus <c>/metrics</c> endpoint listens, if anywhere.</summary>
internal sealed class MetricsOptions
{
    /// <summary>The configuration section's name.</summary>
    public const string SectionName = "Metrics";

    /// <summary><c>HOST:PORT</c> (an IP address, IPv6 in brackets) or a bare <c>PORT</c> (on 127.0.0.1); empty: off.</summary>
    public string? Listen { get; set; }

    /// <summary>Connections served at once; further ones are closed at once.</summary>
    public int MaxConnections { get; set; } = 8;

    /// <summary>How long a client may take to send its request, and to read the answer.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the endpoint is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Listen);

    /// <summary>The address to listen on; throws naming the key when <see cref="Listen"/> is not one.</summary>
    public IPEndPoint EndPoint()
    {
        string listen = Listen?.Trim() ?? "";
        if (ushort.TryParse(listen, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) && port > 0)
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }
        if (IPEndPoint.TryParse(listen, out var endPoint) && endPoint.Port > 0 && listen.Contains(':', StringComparison.Ordinal)
            && (endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || listen.StartsWith('[')))
        {
            return endPoint;
        }
        throw new ArgumentException($"Metrics:Listen '{Listen}': expected HOST:PORT with an IP address (IPv6 in brackets) or a bare PORT, port 1 to 65535");
    }

    /// <summary>Throws an exception naming the key of the first bad value.</summary>
    public void Validate()
    {
        if (Problems() is [var first, ..]) throw new ArgumentException(first);
    }

    /// <summary>Every bad value, one line each naming its key; empty when the endpoint is off or all is well.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enabled) return problems;
        try
        {
            EndPoint();
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }
        if (MaxConnections is < 1 or > 256) problems.Add($"Metrics:MaxConnections is {MaxConnections}; allowed: 1 to 256");
        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"Metrics:RequestTimeout is {RequestTimeout}; allowed: 00:00:00.1 to 00:01:00");
        }
        return problems;
    }
}

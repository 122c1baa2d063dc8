using System.Text;

namespace Appliance.Host.Metrics;

/// <summary>What the metrics endpoint answers to one HTTP/1.x request head: the status line and whether to send the
/// metrics. Pure parsing, no I/O: everything but a well-formed <c>GET</c>/<c>HEAD /metrics</c> is refused.</summary>
internal readonly record struct HttpVerdict(int Status, string Reason, bool Metrics, bool HeadOnly)
{
    public static readonly HttpVerdict BadRequest = new(400, "Bad Request", false, false);
    public static readonly HttpVerdict NotFound = new(404, "Not Found", false, false);
    public static readonly HttpVerdict MethodNotAllowed = new(405, "Method Not Allowed", false, false);
    public static readonly HttpVerdict HeadersTooLarge = new(431, "Request Header Fields Too Large", false, false);
    public static readonly HttpVerdict VersionNotSupported = new(505, "HTTP Version Not Supported", false, false);
}

/// <summary>Parses a request head (request line and header lines, up to the blank line).</summary>
internal static class HttpRequestHead
{
    /// <summary>Where the head ends (the index after its blank line), or -1 when it has not ended yet.
    /// Accepts CRLF and bare LF line ends.</summary>
    public static int FindEnd(ReadOnlySpan<byte> buffer)
    {
        for (int i = 0; i < buffer.Length - 1; i++)
        {
            if (buffer[i] != '\n') continue;
            if (buffer[i + 1] == '\n') return i + 2;
            if (buffer[i + 1] == '\r' && i + 2 < buffer.Length && buffer[i + 2] == '\n') return i + 3;
        }
        return -1;
    }

    /// <summary>Judges a complete head.</summary>
    public static HttpVerdict Judge(ReadOnlySpan<byte> head)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(head);
        }
        catch (DecoderFallbackException)
        {
            return HttpVerdict.BadRequest;
        }
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        string[] request = lines[0].Split(' ');
        if (request.Length != 3 || request[0].Length == 0 || request[1].Length == 0 || !request[0].All(char.IsAsciiLetterUpper))
        {
            return HttpVerdict.BadRequest;
        }
        string version = request[2];
        if (!version.StartsWith("HTTP/", StringComparison.Ordinal)) return HttpVerdict.BadRequest;
        if (version is not ("HTTP/1.1" or "HTTP/1.0")) return HttpVerdict.VersionNotSupported;
        bool host = false;
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            // A field name is a token: no spaces, no control characters, not empty.
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAnyExcept(TokenChars) || line.Any(char.IsControl)) return HttpVerdict.BadRequest;
            host |= line.AsSpan(0, colon).Equals("Host", StringComparison.OrdinalIgnoreCase);
        }
        if (version == "HTTP/1.1" && !host) return HttpVerdict.BadRequest; // RFC 9112: a 1.1 request names its host
        if (!request[1].StartsWith('/')) return HttpVerdict.BadRequest;
        string path = request[1].Split('?')[0];
        if (path != "/metrics") return HttpVerdict.NotFound;
        return request[0] switch
        {
            "GET" => new HttpVerdict(200, "OK", true, false),
            "HEAD" => new HttpVerdict(200, "OK", true, true),
            _ => HttpVerdict.MethodNotAllowed,
        };
    }

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

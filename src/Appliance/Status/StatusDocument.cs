using System.Buffers;
using System.Text.Json;
using Appliance.Host.Configuration;

namespace Appliance.Host.Status;

/// <summary>Builds the status document from every registered <see cref="IStatusSection"/>:
/// <c>{"version", "node", "started", "now", "vms", "journal", "mqtt", "indicators", ...}</c>.</summary>
internal sealed class StatusDocument(IEnumerable<IStatusSection> sections, TimeProvider time, ApplianceOptions appliance)
{
    private readonly IStatusSection[] _sections = [.. sections];
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>Only what JSON requires is escaped: "+00:00" stays readable for jq and people (the default encoder
    /// writes \u002B). The document goes to a socket and a terminal, never into HTML.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The status as one line of UTF-8 JSON.</summary>
    public byte[] Build()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("version", Cli.ApplianceCli.Version);
            w.WriteString("node", appliance.Node);
            w.WriteString("started", _started);
            w.WriteString("now", time.GetUtcNow());
            foreach (var section in _sections)
            {
                w.WritePropertyName(section.Name);
                try
                {
                    section.Write(w);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A failing section must not take the whole status down; say what failed instead.
                    return BuildError(section.Name, e.Message);
                }
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] BuildError(string section, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("error", $"status section '{section}' failed: {message}");
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

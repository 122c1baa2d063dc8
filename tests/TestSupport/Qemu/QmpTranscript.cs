using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.TestSupport.Files;

namespace Appliance.TestSupport.Qemu;

/// <summary>A QMP session recorded from real QEMU by Qemu/Transcripts/record-transcript.py: the greeting, then each
/// input exactly as sent and the lines QEMU wrote back (without CRLF).</summary>
public sealed partial class QmpTranscript
{
    private QmpTranscript(IReadOnlyList<string> greeting, IReadOnlyList<Step> steps)
    {
        Greeting = greeting;
        Steps = steps;
    }

    /// <summary>One input and QEMU's output lines for it.</summary>
    public sealed record Step(byte[] Input, IReadOnlyList<string> Output)
    {
        /// <summary>The input as readable text, for failure messages.</summary>
        public string Shown => JsonSerializer.Serialize(Encoding.Latin1.GetString(Input));
    }

    /// <summary>The greeting line(s).</summary>
    public IReadOnlyList<string> Greeting { get; }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<Step> Steps { get; }

    /// <summary>The QEMU 7.2.22 transcript kept in the repository.</summary>
    public static QmpTranscript Qemu72 { get; } = Load(RepoPaths.File("tests/TestSupport/Qemu/Transcripts/qemu-7.2.22.transcript"));

    /// <summary>The inputs of the script QEMU answered (the same script the differential test runs).</summary>
    public IEnumerable<byte[]> Inputs => Steps.Select(s => s.Input);

    /// <summary>Reads a transcript file.</summary>
    public static QmpTranscript Load(string path)
    {
        var greeting = new List<string>();
        var steps = new List<Step>();
        List<string>? output = null;
        foreach (var line in File.ReadAllLines(path, Encoding.Latin1))
        {
            if (line.StartsWith("> ", StringComparison.Ordinal))
            {
                output = [];
                var text = JsonSerializer.Deserialize<string>(line[2..]) ?? throw new InvalidDataException(line);
                steps.Add(new Step(Encoding.Latin1.GetBytes(text), output));
            }
            else if (line.StartsWith("< ", StringComparison.Ordinal))
            {
                (output ?? greeting).Add(line[2..]);
            }
        }
        return new QmpTranscript(greeting, steps);
    }

    /// <summary>A line with the values that cannot be equal between two runs made equal: event timestamps and the
    /// version's package string.</summary>
    public static string Comparable(string line) =>
        Package().Replace(Timestamp().Replace(line, "\"seconds\": 0, \"microseconds\": 0"), "\"package\": \"\"");

    [GeneratedRegex("\"seconds\": \\d+, \"microseconds\": \\d+")]
    private static partial Regex Timestamp();

    [GeneratedRegex("\"package\": \"[^\"]*\"")]
    private static partial Regex Package();
}

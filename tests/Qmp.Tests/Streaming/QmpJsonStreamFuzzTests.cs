using Appliance.Qmp.Streaming;

namespace Appliance.Qmp.Tests.Streaming;

/// <summary>Hostile input never throws and never makes the parser hold more than its byte limit plus one write.
/// The bound measured here is the one docs/emulator.md and docs/qmp-client.md state.</summary>
public sealed class QmpJsonStreamFuzzTests
{
    private const int Limit = 64 * 1024;
    private const int Write = 16 * 1024;

    private static IEnumerable<byte[]> Hostile(int seed)
    {
        var random = new Random(seed);
        byte[] alphabet = "{}[]:,\"'\\ \n\r\t0123456789-+.eEtrufalsn"u8.ToArray();
        for (int i = 0; i < 400; i++)
        {
            var chunk = new byte[random.Next(1, Write)];
            switch (i % 6)
            {
                case 0: random.NextBytes(chunk); break; // random bytes
                case 1: for (int k = 0; k < chunk.Length; k++) chunk[k] = alphabet[random.Next(alphabet.Length)]; break; // JSON-ish noise
                case 2: chunk.AsSpan().Fill((byte)'['); break; // deep nesting
                case 3: chunk.AsSpan().Fill((byte)'a'); chunk[0] = (byte)'"'; break; // endless token
                case 4: random.NextBytes(chunk); chunk[random.Next(chunk.Length)] = 0xFF; break;
                default: // a command then 0xFF, possibly cut short
                    byte[] command = [.. "{\"execute\":\"query-status\"}"u8, 0xFF];
                    command.AsSpan(0, Math.Min(chunk.Length, command.Length)).CopyTo(chunk);
                    break;
            }
            yield return chunk;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Hostile_input_never_throws_and_stays_within_the_byte_limit(int seed)
    {
        var stream = new QmpJsonStream(QmpStreamLimits.WithMaxMessageBytes(Limit));
        int frames = 0, maxHeld = 0, maxCapacity = 0;
        foreach (var chunk in Hostile(seed))
        {
            stream.Write(chunk);
            maxHeld = Math.Max(maxHeld, stream.HeldBytes);
            while (stream.TryRead(out var frame))
            {
                frames++;
                if (frame.Kind == QmpFrameKind.Value) _ = QemuJsonParser.Parse(frame.Bytes); // must not throw either
                maxHeld = Math.Max(maxHeld, stream.HeldBytes);
            }
            maxCapacity = Math.Max(maxCapacity, stream.BufferCapacity);
            Assert.True(stream.HeldBytes <= Limit, $"held {stream.HeldBytes} bytes after reading");
        }
        Assert.True(frames > 0);
        Assert.True(maxHeld <= Limit + Write, $"held {maxHeld} bytes");
        Assert.True(maxCapacity <= 2 * (Limit + Write), $"buffer grew to {maxCapacity} bytes");
    }

    [Fact]
    public void After_any_hostile_input_a_newline_and_a_command_are_understood()
    {
        var stream = new QmpJsonStream(QmpStreamLimits.WithMaxMessageBytes(Limit));
        foreach (var chunk in Hostile(4))
        {
            stream.Write(chunk);
            while (stream.TryRead(out _)) { }
        }
        // What QEMU documents for resynchronising: 0xFF resets the lexer; the open brackets of the last value are
        // dropped with the size limit at the latest, so close them with an over-long run of spaces if need be.
        stream.Write([0xFF]);
        stream.Write(System.Text.Encoding.ASCII.GetBytes(new string(' ', Limit + 1)));
        while (stream.TryRead(out _)) { }
        stream.Write("\n{\"execute\":\"query-status\"}"u8);
        QmpStreamFrame last = default;
        while (stream.TryRead(out var frame)) last = frame;
        Assert.Equal(QmpFrameKind.Value, last.Kind);
        Assert.Equal("{\"execute\":\"query-status\"}", System.Text.Encoding.ASCII.GetString(last.Bytes));
    }
}

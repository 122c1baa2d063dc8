using System.Net.Sockets;
using System.Text;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Framing;
using Appliance.TestSupport.Qemu;

namespace Appliance.Emu.Tests.Protocol;

/// <summary>The emulator's bytes against a transcript recorded from real qemu-system-x86_64 7.2.22 (see
/// tests/TestSupport/Qemu/Transcripts): same input, same output byte for byte, timestamps and package string aside.</summary>
public sealed class QemuTranscriptTests
{
    [Fact]
    public async Task Every_reply_and_event_is_byte_for_byte_what_QEMU_7_2_wrote()
    {
        // QEMU with -machine none runs from the start; so does this VM.
        await using var bed = await EmulatorTestBed.StartAsync(o => o.StartPaused = false);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(bed.SocketPath));
        await using var stream = new NetworkStream(socket);
        var reader = new QmpLineReader(stream, 1 << 20);
        var transcript = QmpTranscript.Qemu72;

        foreach (var expected in transcript.Greeting)
        {
            Assert.Equal(QmpTranscript.Comparable(expected), QmpTranscript.Comparable(await ReadLineAsync(reader)));
        }
        foreach (var step in transcript.Steps)
        {
            await stream.WriteAsync(step.Input);
            foreach (var expected in step.Output)
            {
                string actual = QmpTranscript.Comparable(await ReadLineAsync(reader));
                Assert.True(QmpTranscript.Comparable(expected) == actual, $"after {step.Shown}\nQEMU: {expected}\nemu:  {actual}");
            }
        }
        // quit was the last step: nothing may follow its reply.
        Assert.Equal(QmpLineKind.EndOfStream, (await reader.ReadLineAsync().AsTask().WaitAsync(QmpTestClient.Timeout)).Kind);
    }

    [Fact]
    public async Task Lines_end_in_crlf_as_QEMUs_do()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(bed.SocketPath));
        var buffer = new byte[4096];
        int n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(QmpTestClient.Timeout);
        Assert.EndsWith("}}\r\n", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
    }

    private static async Task<string> ReadLineAsync(QmpLineReader reader)
    {
        var line = await reader.ReadLineAsync().AsTask().WaitAsync(QmpTestClient.Timeout);
        Assert.Equal(QmpLineKind.Line, line.Kind);
        return Encoding.Latin1.GetString(line.Bytes);
    }
}

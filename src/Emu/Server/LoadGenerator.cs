using System.Buffers;
using System.Buffers.Text;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Server;

/// <summary>Load mode: writes BALLOON_CHANGE events straight into a reused buffer and onto the socket, as fast as the
/// client reads them. No per-event allocation; the timestamp is taken once per buffer.</summary>
internal static class LoadGenerator
{
    private const int BufferBytes = 64 * 1024;
    private const int MaxEventBytes = 160;

    private static ReadOnlySpan<byte> Head => "{\"timestamp\": {\"seconds\": "u8;
    private static ReadOnlySpan<byte> Micros => ", \"microseconds\": "u8;
    private static ReadOnlySpan<byte> Middle => "}, \"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": "u8;
    private static ReadOnlySpan<byte> Tail => "}}\r\n"u8;

    public static string EventName => QmpEventNames.BalloonChange;

    public static async Task WriteAsync(Stream stream, TimeProvider time, long count, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long sent = 0;
            while (sent < count)
            {
                int used = Fill(buffer, time, ref sent, count);
                await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Fill(byte[] buffer, TimeProvider time, ref long sent, long count)
    {
        var stamp = QmpTimestamp.FromDateTimeOffset(time.GetUtcNow());
        var span = buffer.AsSpan();
        int used = 0;
        while (sent < count && BufferBytes - used >= MaxEventBytes)
        {
            var dest = span[used..];
            int n = 0;
            n += Copy(Head, dest[n..]);
            n += Number(stamp.Seconds, dest[n..]);
            n += Copy(Micros, dest[n..]);
            n += Number(stamp.Microseconds, dest[n..]);
            n += Copy(Middle, dest[n..]);
            n += Number((1L << 30) - (sent & 0xFFFF) * 4096, dest[n..]);
            n += Copy(Tail, dest[n..]);
            used += n;
            sent++;
        }
        return used;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> dest)
    {
        source.CopyTo(dest);
        return source.Length;
    }

    private static int Number(long value, Span<byte> dest)
    {
        Utf8Formatter.TryFormat(value, dest, out int written);
        return written;
    }
}

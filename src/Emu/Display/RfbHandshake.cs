using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Emu.Display;

/// <summary>The server side of an RFB 3.8 handshake up to ServerInit: version, security (None or VNC authentication),
/// SecurityResult, ClientInit, ServerInit. No framebuffer updates follow.</summary>
internal static class RfbHandshake
{
    public const byte SecurityNone = 1;
    public const byte SecurityVncAuth = 2;
    public const ushort Width = 640;
    public const ushort Height = 480;

    private static ReadOnlySpan<byte> Version38 => "RFB 003.008\n"u8;

    /// <summary>Runs the handshake; returns null on success, else why the client was refused.</summary>
    public static async Task<string?> RunAsync(Stream stream, string? password, string desktopName, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Version38.ToArray(), cancellationToken).ConfigureAwait(false);
        var version = new byte[12];
        await stream.ReadExactlyAsync(version, cancellationToken).ConfigureAwait(false);
        if (!version.AsSpan().SequenceEqual(Version38))
        {
            await FailAsync(stream, [0], "Unsupported RFB protocol version; this server speaks 3.8", cancellationToken).ConfigureAwait(false);
            return "unsupported RFB version";
        }
        byte offered = password is null ? SecurityNone : SecurityVncAuth;
        await stream.WriteAsync(new byte[] { 1, offered }, cancellationToken).ConfigureAwait(false);
        var chosen = new byte[1];
        await stream.ReadExactlyAsync(chosen, cancellationToken).ConfigureAwait(false);
        if (chosen[0] != offered)
        {
            await FailAsync(stream, [0, 0, 0, 1], "Unsupported security type", cancellationToken).ConfigureAwait(false);
            return "unsupported security type";
        }
        if (password is not null && !await AuthenticateAsync(stream, password, cancellationToken).ConfigureAwait(false))
        {
            await FailAsync(stream, [0, 0, 0, 1], "Authentication failed", cancellationToken).ConfigureAwait(false);
            return "authentication failed";
        }
        await stream.WriteAsync(new byte[] { 0, 0, 0, 0 }, cancellationToken).ConfigureAwait(false);
        var clientInit = new byte[1];
        await stream.ReadExactlyAsync(clientInit, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(ServerInit(desktopName), cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static async Task<bool> AuthenticateAsync(Stream stream, string password, CancellationToken cancellationToken)
    {
        var challenge = RandomNumberGenerator.GetBytes(16);
        await stream.WriteAsync(challenge, cancellationToken).ConfigureAwait(false);
        var response = new byte[16];
        await stream.ReadExactlyAsync(response, cancellationToken).ConfigureAwait(false);
        return CryptographicOperations.FixedTimeEquals(response, VncAuthResponse(challenge, password));
    }

    /// <summary>DES-ECB of the challenge with the password (8 bytes, zero-padded, each byte bit-reversed) as key.</summary>
    public static byte[] VncAuthResponse(ReadOnlySpan<byte> challenge, string password)
    {
        var key = new byte[8];
        var raw = Encoding.Latin1.GetBytes(password);
        for (int i = 0; i < 8 && i < raw.Length; i++) key[i] = ReverseBits(raw[i]);
        using var des = DES.Create();
        des.Key = key;
        return des.EncryptEcb(challenge, PaddingMode.None);
    }

    private static byte ReverseBits(byte b)
    {
        int r = 0;
        for (int i = 0; i < 8; i++) r |= (b >> i & 1) << (7 - i);
        return (byte)r;
    }

    private static byte[] ServerInit(string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var message = new byte[24 + nameBytes.Length];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, Width);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], Height);
        // PIXEL_FORMAT: 32 bpp, depth 24, little-endian, true colour, 8 bits per channel at shifts 16/8/0.
        span[4] = 32;
        span[5] = 24;
        span[6] = 0;
        span[7] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], 255);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], 255);
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 255);
        span[14] = 16;
        span[15] = 8;
        span[16] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[20..], (uint)nameBytes.Length);
        nameBytes.CopyTo(span[24..]);
        return message;
    }

    private static async Task FailAsync(Stream stream, byte[] prefix, string reason, CancellationToken cancellationToken)
    {
        var text = Encoding.ASCII.GetBytes(reason);
        var message = new byte[prefix.Length + 4 + text.Length];
        prefix.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(prefix.Length), (uint)text.Length);
        text.CopyTo(message, prefix.Length + 4);
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }
}

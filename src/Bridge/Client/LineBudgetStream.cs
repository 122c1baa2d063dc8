using Appliance.Qmp.Codec;

namespace Appliance.Bridge.Client;

/// <summary>A read-only view of the socket stream that fails once more bytes arrive without a line end than any
/// legal line can hold. <see cref="Qmp.Framing.QmpLineReader"/> keeps memory bounded on an endless line but would
/// wait for its end forever; this turns an endless line into an error, hence a reconnect.</summary>
internal sealed class LineBudgetStream(Stream inner, long budget) : Stream
{
    private long _sinceLine;

    /// <summary>Called by the reader of lines whenever it completed one.</summary>
    public void LineCompleted() => _sinceLine = 0;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _sinceLine += n;
        if (_sinceLine > budget)
        {
            throw new QmpProtocolException($"monitor sent more than {budget} bytes without a line end");
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

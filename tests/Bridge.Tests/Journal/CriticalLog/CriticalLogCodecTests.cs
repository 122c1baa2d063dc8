using System.Text;
using Appliance.Bridge.Journal.CriticalLog;
using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Tests.Journal.CriticalLog;

public sealed class CriticalLogCodecTests
{
    private static readonly CriticalLogRecord Sample = new(42, "vm-ä1", VmEventFlags.Critical, 1_767_225_600_000_001,
        Encoding.UTF8.GetBytes("""{"event": "WATCHDOG", "data": {"action": "reset"}, "timestamp": {"seconds": 1767225600, "microseconds": 1}}"""));

    [Fact]
    public void A_record_reads_back_field_for_field_and_fills_whole_sectors()
    {
        var buffer = new byte[4096];
        int length = CriticalLogCodec.Encode(Sample, buffer);

        Assert.True(CriticalLogCodec.TryDecode(buffer, out var decoded, out int decodedLength));
        Assert.Equal(512, length);
        Assert.Equal(length, decodedLength);
        Assert.Equal((Sample.Number, Sample.Vm, Sample.Flags, Sample.ReceivedUs), (decoded!.Number, decoded.Vm, decoded.Flags, decoded.ReceivedUs));
        Assert.Equal(Sample.Line, decoded.Line);
    }

    [Fact]
    public void A_record_longer_than_a_sector_takes_the_next_sectors_too()
    {
        var large = Sample with { Line = new byte[700] };
        var buffer = new byte[4096];

        Assert.Equal(1024, CriticalLogCodec.Encode(large, buffer));
        Assert.Equal(1024, CriticalLogCodec.PaddedLength(large));
    }

    [Theory]
    [InlineData(5)]     // the length
    [InlineData(20)]    // the number
    [InlineData(100)]   // the line
    public void A_record_with_any_byte_changed_is_not_read(int offset)
    {
        var buffer = new byte[4096];
        CriticalLogCodec.Encode(Sample, buffer);
        buffer[offset] ^= 0x10;

        Assert.False(CriticalLogCodec.TryDecode(buffer, out _, out _));
    }

    [Fact]
    public void A_record_torn_after_its_first_sector_is_not_read()
    {
        var buffer = new byte[4096];
        int length = CriticalLogCodec.Encode(Sample with { Line = Enumerable.Repeat((byte)'x', 700).ToArray() }, buffer);
        buffer.AsSpan(512, length - 512).Clear();

        Assert.False(CriticalLogCodec.TryDecode(buffer, out _, out _));
    }

    [Fact]
    public void An_unused_sector_holds_no_record()
    {
        Assert.False(CriticalLogCodec.TryDecode(new byte[512], out _, out _));
    }

    [Fact]
    public void The_header_names_the_journal_it_belongs_to()
    {
        var header = new byte[512];
        CriticalLogCodec.EncodeHeader(123456789, header);

        Assert.Equal(123456789, CriticalLogCodec.DecodeHeader(header));
        header[17] ^= 1;
        Assert.Null(CriticalLogCodec.DecodeHeader(header));
    }
}

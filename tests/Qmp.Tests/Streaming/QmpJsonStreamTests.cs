using System.Text;
using Appliance.Qmp.Streaming;

namespace Appliance.Qmp.Tests.Streaming;

/// <summary>The stream parser against what QEMU 7.2 answered to the same bytes (recorded on qemu-system-x86_64
/// 7.2.22; see tests/Integration/QmpDifferentialTests for the live comparison).</summary>
public sealed class QmpJsonStreamTests
{
    private static List<string> Frames(byte[] input, QmpStreamLimits? limits = null, int chunk = int.MaxValue)
    {
        var stream = new QmpJsonStream(limits);
        var frames = new List<string>();
        for (int at = 0; at < input.Length; at += chunk)
        {
            stream.Write(input.AsSpan(at, Math.Min(chunk, input.Length - at)));
            while (stream.TryRead(out var frame))
            {
                frames.Add(frame.Kind == QmpFrameKind.Value ? "value " + Encoding.UTF8.GetString(frame.Bytes) : "error " + frame.Error);
            }
        }
        return frames;
    }

    private static List<string> Frames(string input, QmpStreamLimits? limits = null, int chunk = int.MaxValue) =>
        Frames(Encoding.Latin1.GetBytes(input), limits, chunk);

    [Fact]
    public void A_value_without_a_trailing_newline_is_complete_at_its_closing_brace()
    {
        Assert.Equal(["value {\"execute\":\"query-status\",\"id\":\"nl\"}"], Frames("{\"execute\":\"query-status\",\"id\":\"nl\"}"));
    }

    [Fact]
    public void Two_values_on_one_line_are_two_values()
    {
        Assert.Equal(["value {\"id\":\"t1\"}", "value {\"id\":\"t2\"}"], Frames("{\"id\":\"t1\"}{\"id\":\"t2\"}\n"));
    }

    [Fact]
    public void One_value_over_several_lines_is_one_value()
    {
        Assert.Equal(["value {\"execute\":\n\"query-status\",\n\"id\":\"ml\"}"], Frames("{\"execute\":\n\"query-status\",\n\"id\":\"ml\"}\n"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void Values_split_across_reads_come_out_whole(int chunk)
    {
        Assert.Equal(["value {\"a\": [1, \"x}\", {\"b\": -2.5e3}]}", "value {}"], Frames("{\"a\": [1, \"x}\", {\"b\": -2.5e3}]}\r\n{}", chunk: chunk));
    }

    [Fact]
    public void Byte_ff_between_values_is_one_error_and_the_next_value_on_the_line_still_counts()
    {
        Assert.Equal(["value {\"id\":\"a\"}", "error JSON parse error, stray '\uFFFD'", "value {\"id\":\"b\"}"],
            Frames("{\"id\":\"a\"}\xff{\"id\":\"b\"}\n"));
    }

    [Fact]
    public void Byte_ff_inside_a_value_drops_it_and_recovers_at_the_next_structural_character()
    {
        // QEMU 7.2 answers this line with stray, expecting value, not an object, expecting value, then runs "d".
        Assert.Equal(["error JSON parse error, stray '\uFFFD'", "value :", "value \"c\"", "value }", "value {\"id\":\"d\"}"],
            Frames("{\"execute\":\"query-status\",\xff\"id\":\"c\"}{\"id\":\"d\"}\n"));
    }

    [Fact]
    public void A_number_with_a_leading_zero_is_stray_with_the_digits_it_had()
    {
        Assert.Equal(["error JSON parse error, stray '01'", "value }"], Frames("{\"id\":01}\n"));
    }

    [Fact]
    public void A_control_character_is_stray()
    {
        Assert.Equal(["error JSON parse error, stray '\u0001'"], Frames("\u0001\n"));
    }

    [Fact]
    public void A_bare_keyword_ends_at_the_next_character()
    {
        Assert.Equal(["value abc"], Frames("abc\n"));
        Assert.Empty(Frames("abc"));
    }

    [Fact]
    public void Single_quoted_strings_are_tokens_as_in_QEMU()
    {
        Assert.Equal(["value {'execute':'x','id':'s\"q'}"], Frames("{'execute':'x','id':'s\"q'}"));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_QEMUs_error_and_memory_is_released()
    {
        var stream = new QmpJsonStream(QmpStreamLimits.Qemu);
        stream.Write(Encoding.ASCII.GetBytes(new string('[', 1025)));
        Assert.True(stream.TryRead(out var frame));
        Assert.Equal("JSON nesting depth limit exceeded", frame.Error);
        Assert.True(frame.LimitExceeded);
        Assert.False(stream.TryRead(out _));
        Assert.Equal(0, stream.HeldBytes);
    }

    [Fact]
    public void Nesting_at_the_limit_is_accepted()
    {
        var frames = Frames(new string('[', 1024) + new string(']', 1024));
        Assert.Single(frames);
        Assert.StartsWith("value [[[", frames[0]);
    }

    [Fact]
    public void An_endless_string_is_cut_at_the_byte_limit_and_never_held_beyond_it()
    {
        var stream = new QmpJsonStream(QmpStreamLimits.WithMaxMessageBytes(4096));
        stream.Write("{\"execute\":\""u8);
        var errors = new List<string?>();
        for (int i = 0; i < 100; i++)
        {
            stream.Write(Encoding.ASCII.GetBytes(new string('x', 1000)));
            while (stream.TryRead(out var frame)) errors.Add(frame.Error);
            Assert.True(stream.HeldBytes <= 4096 + 1000, $"held {stream.HeldBytes}");
        }
        Assert.Equal("JSON token size limit exceeded", errors[0]);
        Assert.True(stream.BufferCapacity <= 4 * 16 * 1024);
    }

    [Fact]
    public void After_a_limit_error_the_next_value_is_read()
    {
        var frames = Frames(new string('[', 1025) + "\n{\"id\":1}", QmpStreamLimits.Qemu);
        Assert.Equal("error JSON nesting depth limit exceeded", frames[0]);
        Assert.Equal("value {\"id\":1}", frames[^1]);
    }

    [Fact]
    public void Whitespace_and_line_ends_between_values_are_skipped()
    {
        Assert.Equal(["value {}", "value {}"], Frames("\r\n  {}\r\n\r\n\t{}\r\n"));
    }

    [Fact]
    public void A_closing_brace_with_no_opening_one_is_emitted_for_the_parser_to_reject()
    {
        Assert.Equal(["value }", "value ]"], Frames("}\n]\n"));
    }

    [Fact]
    public void A_peeked_line_is_consumed_only_when_accepted_and_otherwise_read_the_exact_way()
    {
        var stream = new QmpJsonStream();
        stream.Write("\r\n{\"a\":1}{\"b\":2}\r\n{\"c\":3}\r\n"u8);

        Assert.Equal("{\"a\":1}{\"b\":2}", Encoding.ASCII.GetString(stream.PeekLine()!)); // two values: a strict parser refuses it
        Assert.True(stream.TryRead(out var a));
        Assert.True(stream.TryRead(out var b));
        Assert.Equal("{\"c\":3}", Encoding.ASCII.GetString(stream.PeekLine()!));
        stream.AcceptLine();

        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], new[] { Encoding.ASCII.GetString(a.Bytes), Encoding.ASCII.GetString(b.Bytes) });
        Assert.Null(stream.PeekLine());
        Assert.False(stream.TryRead(out _));
    }
}

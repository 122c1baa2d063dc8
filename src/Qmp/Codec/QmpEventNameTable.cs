using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Appliance.Qmp.Events;

namespace Appliance.Qmp.Codec;

/// <summary>Turns an event name read from the wire into a shared string instead of a new one per event.</summary>
/// <remarks>Holds the documented names plus the first <see cref="MaxLearnedNames"/> unknown ones a server sends, so a
/// peer inventing a new name per event costs an allocation each, never unbounded memory.</remarks>
internal static class QmpEventNameTable
{
    internal const int MaxLearnedNames = 256;
    private const int MaxPooledNameBytes = 128;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly ConcurrentDictionary<string, string> Names = new(
        QmpEventCatalog.Names.Select(n => KeyValuePair.Create(n, n)), StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars =
        Names.GetAlternateLookup<ReadOnlySpan<char>>();

    // Learned names, counted here: ConcurrentDictionary.Count takes every lock of the table.
    private static int _learned;

    /// <summary>Names held now (documented plus learned).</summary>
    internal static int Count => Names.Count;

    /// <summary>The string value the reader is on (a <see cref="JsonTokenType.String"/>).</summary>
    internal static string Get(ref Utf8JsonReader reader)
    {
        try
        {
            return Lookup(ref reader);
        }
        catch (Exception e) when (e is InvalidOperationException or DecoderFallbackException)
        {
            throw new QmpProtocolException("QMP event name is not valid UTF-8", e);
        }
    }

    private static string Lookup(ref Utf8JsonReader reader)
    {
        var utf8 = reader.ValueSpan;
        if (reader.ValueIsEscaped || reader.HasValueSequence || utf8.Length > MaxPooledNameBytes) return reader.GetString()!;
        Span<char> chars = stackalloc char[MaxPooledNameBytes];
        int length = StrictUtf8.GetChars(utf8, chars);
        var name = chars[..length];
        if (ByChars.TryGetValue(name, out var known)) return known;
        string learned = new(name);
        if (Volatile.Read(ref _learned) >= MaxLearnedNames) return learned;
        string held = Names.GetOrAdd(learned, learned);
        if (ReferenceEquals(held, learned)) Interlocked.Increment(ref _learned);
        return held;
    }
}

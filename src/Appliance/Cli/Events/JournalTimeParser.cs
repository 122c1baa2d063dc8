using Appliance.Bridge.Journal;
using System.Globalization;

namespace Appliance.Host.Cli.Events;

/// <summary>Parses the time arguments of <c>appliance events</c> (<c>--since</c>, <c>--until</c>): either a duration back from
/// now (<c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>, <c>1w</c>, <c>250ms</c>) or an ISO 8601 time (<c>2026-11-21T10:00:00Z</c>;
/// without an offset it is taken as UTC).</summary>
internal static class JournalTimeParser
{
    private const string Units = "ms, s, m, h, d or w";

    /// <summary>The point in time <paramref name="text"/> means at <paramref name="now"/>; <paramref name="option"/> names
    /// the option in the error.</summary>
    /// <exception cref="FormatException">The text is neither a duration nor a time; the message says what was wrong.</exception>
    public static DateTimeOffset Parse(string option, string text, DateTimeOffset now) =>
        TryParse(text, now, out var time, out string? error) ? time : throw new FormatException($"{option}: {error}");

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset time, out string? error)
    {
        time = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "a value is required: a duration such as 10m, 1h30m, 2d, or a time such as 2026-11-21T10:00:00Z.";
            return false;
        }
        // An ISO time starts with digits too, but holds '-' or ':'.
        if (char.IsAsciiDigit(text[0]) && !text.Contains('-') && !text.Contains(':'))
        {
            error = ParseDuration(text, out var duration);
            time = now - duration;
            return error is null;
        }
        error = null;
        if (text.Contains('-') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)) return true;
        error = $"'{text}' is neither a duration (a number and a unit {Units}, for example 10m or 1h30m) " +
                "nor an ISO 8601 time (for example 2026-11-21T10:00:00Z).";
        return false;
    }

    // A duration such as 10m or 1h30m; returns the error naming the part that was wrong, or null.
    private static string? ParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        for (int i = 0; i < text.Length;)
        {
            int numberStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            if (!long.TryParse(text.AsSpan(numberStart, unitStart - numberStart), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                return $"'{text}': expected a number at '{text[numberStart..]}'.";
            string unit = text[unitStart..i];
            TimeSpan? part = unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                "d" => TimeSpan.FromDays(value),
                "w" => TimeSpan.FromDays(value * 7.0),
                _ => null,
            };
            if (part is null)
            {
                return unit.Length == 0
                    ? $"'{text}': the number {value} has no unit ({Units})."
                    : $"'{text}': unknown unit '{unit}' (use {Units}).";
            }
            duration += part.Value;
        }
        return null;
    }
}

using System.Globalization;

namespace Appliance.Bridge.Journal.Cli;

/// <summary>Parses the time arguments of <c>appliance events</c> (<c>--since</c>, <c>--until</c>): either a duration back from
/// now (<c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>, <c>1w</c>, <c>250ms</c>) or an ISO 8601 time (<c>2026-11-21T10:00:00Z</c>;
/// without an offset it is taken as UTC).</summary>
public static class JournalTimeParser
{
    /// <summary>The point in time <paramref name="text"/> means at <paramref name="now"/>.</summary>
    /// <param name="option">The option's name for the error message, for example <c>--since</c>.</param>
    /// <param name="text">The argument.</param>
    /// <param name="now">The time a duration counts back from.</param>
    /// <exception cref="FormatException">The text is neither a duration nor a time; the message says what was wrong.</exception>
    public static DateTimeOffset Parse(string option, string text, DateTimeOffset now) =>
        TryParse(text, now, out var time, out string? error)
            ? time
            : throw new FormatException($"{option}: {error}");

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset time, out string? error)
    {
        time = default;
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "a value is required: a duration such as 10m, 1h30m, 2d, or a time such as 2026-11-21T10:00:00Z.";
            return false;
        }
        if (char.IsAsciiDigit(text[0]) && TryParseDuration(text, out var duration, out error))
        {
            time = now - duration;
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time) && text.Contains('-'))
        {
            error = null;
            return true;
        }
        error ??= $"'{text}' is neither a duration (a number and a unit ms, s, m, h, d or w, for example 10m or 1h30m) " +
                  "nor an ISO 8601 time (for example 2026-11-21T10:00:00Z).";
        return false;
    }

    /// <summary>Parses a duration such as <c>10m</c> or <c>1h30m</c>; the error names the part that was wrong.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = TimeSpan.Zero;
        error = null;
        int i = 0;
        // An ISO time also starts with digits; leave it to the time parser unless this really looks like a duration.
        if (text.Contains('-') || text.Contains(':')) return false;
        while (i < text.Length)
        {
            int numberStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
            string number = text[numberStart..unitStart];
            string unit = text[unitStart..i];
            if (number.Length == 0 || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                error = $"'{text}': expected a number at '{text[numberStart..]}'.";
                return false;
            }
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
                error = unit.Length == 0
                    ? $"'{text}': the number {number} has no unit (ms, s, m, h, d or w)."
                    : $"'{text}': unknown unit '{unit}' (use ms, s, m, h, d or w).";
                return false;
            }
            duration += part.Value;
        }
        return true;
    }
}

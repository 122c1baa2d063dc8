using System.Globalization;

namespace Appliance.Host.Configuration;

/// <summary>Checks that a configuration string converts to an option's type the way the binder converts it,
/// and says what was expected when it does not (the binder's own exception text is not fit for an operator).</summary>
internal static class ConfigurationValues
{
    /// <summary>Null when <paramref name="value"/> converts to <paramref name="type"/>; otherwise what was expected.</summary>
    public static string? Problem(Type type, string value)
    {
        if (type == typeof(string)) return null;
        if (type == typeof(bool)) return bool.TryParse(value, out _) ? null : "expected true or false";
        if (type == typeof(TimeSpan))
        {
            return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _) ? null
                : "expected a duration [d.]hh:mm:ss[.fff], e.g. 00:00:04 for 4 seconds or 30.00:00:00 for 30 days";
        }
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return names.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase) ? null
                : $"expected one of {string.Join(", ", names)}" + Suggest(value, names);
        }
        if (type == typeof(int)) return Integer(value, int.MinValue, int.MaxValue);
        if (type == typeof(long)) return Integer(value, long.MinValue, long.MaxValue);
        if (type == typeof(uint)) return Integer(value, uint.MinValue, uint.MaxValue);
        if (type == typeof(double))
        {
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? null : "expected a number such as 0.5";
        }
        return null;
    }

    /// <summary>" (did you mean 'X'?)" for the closest of <paramref name="candidates"/>, or empty when none is close.</summary>
    public static string Suggest(string given, IEnumerable<string> candidates) =>
        Nearest(given, candidates) is { } best ? $" (did you mean '{best}'?)" : "";

    /// <summary>The closest of <paramref name="candidates"/> (case-insensitive edit distance), or null when none is close.</summary>
    public static string? Nearest(string given, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int d = Distance(given.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best is not null && bestDistance <= Math.Max(2, given.Length / 3) ? best : null;
    }

    private static string? Integer(string value, decimal min, decimal max) =>
        decimal.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out decimal n)
            ? n >= min && n <= max ? null : $"out of range: expected a whole number from {min} to {max}"
            : "expected a whole number";

    /// <summary>Levenshtein distance (edits to turn one into the other).</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}

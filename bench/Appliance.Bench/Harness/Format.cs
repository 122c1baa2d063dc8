using System.Globalization;

namespace Appliance.Bench.Harness;

/// <summary>Numbers as the tables print them (invariant culture, thousands separators).</summary>
public static class Format
{
    /// <summary>An integer with separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A rate rounded to whole units.</summary>
    public static string Rate(double value) => double.IsFinite(value) ? value.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A figure with <paramref name="decimals"/> decimals.</summary>
    public static string Number(double value, int decimals = 1) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    /// <summary>A ratio such as "0.42x".</summary>
    public static string Ratio(double value) => Number(value, 2) + "x";

    /// <summary>"yes"/"NO" for a target check.</summary>
    public static string Met(bool met) => met ? "met" : "MISSED";
}

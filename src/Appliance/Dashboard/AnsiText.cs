using System.Text.RegularExpressions;

namespace Appliance.Host.Dashboard;

/// <summary>Removes ANSI escape sequences, for output that is not a terminal.</summary>
internal static partial class AnsiText
{
    public static string Strip(string text) => Escapes().Replace(text, "");

    [GeneratedRegex(@"\e\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Escapes();
}

using Microsoft.Extensions.Configuration;

namespace Appliance.Host.Configuration;

/// <summary>Builds the layered configuration: built-in defaults, <c>/etc/appliance/appliance.json</c>, a file given
/// with <c>--config</c>, environment variables <c>APPLIANCE__...</c>, then command-line overrides. Later layers win.</summary>
internal static class ConfigurationLayers
{
    /// <summary>The system-wide configuration file, read when present.</summary>
    public const string SystemFile = "/etc/appliance/appliance.json";

    /// <summary>Prefix of environment variables, e.g. <c>APPLIANCE__MQTT__BROKER__HOST=broker</c>.</summary>
    public const string EnvironmentPrefix = "APPLIANCE__";

    /// <summary>Builds the configuration. Throws <see cref="ConfigurationFileException"/> for a missing or malformed file.</summary>
    /// <param name="configFile">A file given with <c>--config</c>; it must exist.</param>
    /// <param name="overrides">Command-line overrides as configuration keys (e.g. <c>Journal:Path</c>).</param>
    /// <param name="systemFile">The system-wide file (a parameter so tests can point elsewhere).</param>
    public static IConfigurationRoot Build(string? configFile, IReadOnlyDictionary<string, string?> overrides, string? systemFile = SystemFile)
    {
        var builder = new ConfigurationBuilder();
        if (systemFile is not null && File.Exists(systemFile)) AddJson(builder, systemFile);
        if (configFile is not null)
        {
            if (!File.Exists(configFile)) throw new ConfigurationFileException(configFile, "file not found");
            AddJson(builder, configFile);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new ConfigurationFileException(configFile ?? systemFile ?? "?", e.GetBaseException().Message);
        }
        catch (FormatException e)
        {
            throw new ConfigurationFileException(configFile ?? systemFile ?? "?", e.GetBaseException().Message);
        }
    }

    private static void AddJson(ConfigurationBuilder builder, string path)
    {
        string full = Path.GetFullPath(path);
        // Parse once here to report a broken file by name and position; the JSON provider's own error is vaguer.
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(full),
                new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                throw new ConfigurationFileException(full, "the top level must be a JSON object");
            }
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ConfigurationFileException(full, $"invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {JsonProblem(full, e.LineNumber, e.BytePositionInLine)}");
        }
        catch (IOException e)
        {
            throw new ConfigurationFileException(full, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigurationFileException(full, e.Message);
        }
        builder.AddJsonFile(full, optional: false, reloadOnChange: false);
    }

    /// <summary>What is at the error's line. The parser's own message is not used: a NativeAOT build carries only
    /// resource keys for it ("ZeroDepthAtEnd"), and it repeats the position in another form.</summary>
    private static string JsonProblem(string path, long? line, long? byteInLine)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return "not valid JSON";
        }
        bool atEnd = line is not { } index || index >= lines.Length || lines.Skip((int)index).All(string.IsNullOrWhiteSpace)
            || (lines.Skip((int)index + 1).All(string.IsNullOrWhiteSpace)
                && (byteInLine ?? 0) >= System.Text.Encoding.UTF8.GetByteCount(lines[index].TrimEnd()));
        if (atEnd)
        {
            return "the file ends before the JSON is complete (a missing value, '}' or ']')";
        }
        string text = lines[(int)line!.Value].Trim();
        return $"not valid JSON near '{(text.Length > 60 ? text[..59] + "…" : text)}'";
    }
}

/// <summary>A configuration file is missing or malformed. The message names the file and what is wrong.</summary>
internal sealed class ConfigurationFileException(string path, string problem)
    : Exception($"configuration file {path}: {problem}")
{
    public string FilePath { get; } = path;
}

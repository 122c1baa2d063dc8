using System.Text.Json;
using Appliance.Emu.Commands;

namespace Appliance.Emu.Guest;

/// <summary>Reads and checks a scenario file, so a bad one fails at start with a message naming the step.</summary>
internal static class ScenarioLoader
{
    public const int MaxFileBytes = 1 << 20;

    public static async Task<ScenarioDocument> LoadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes) throw new ScenarioException($"scenario '{path}' is larger than {MaxFileBytes} bytes");
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"cannot read scenario '{path}': {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    public static ScenarioDocument Parse(ReadOnlySpan<byte> json, string source)
    {
        ScenarioDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.ScenarioDocument);
        }
        catch (JsonException e)
        {
            throw new ScenarioException($"scenario '{source}' is not valid: {e.Message}", e);
        }
        if (doc?.Steps is not { Length: > 0 } steps) throw new ScenarioException($"scenario '{source}' has no steps");
        for (int i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            if (!double.IsFinite(step.Delay) || step.Delay < 0)
            {
                throw new ScenarioException($"scenario '{source}' step {i}: delay {step.Delay} must be a non-negative number of seconds");
            }
            if (!CommandTable.TryGet(step.Execute ?? "", out var spec))
            {
                throw new ScenarioException($"scenario '{source}' step {i}: unknown command '{step.Execute}'");
            }
            var args = step.Arguments ?? default;
            if (args.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Null))
            {
                throw new ScenarioException($"scenario '{source}' step {i}: arguments must be an object");
            }
            if (CommandArgs.Validate(args.ValueKind == JsonValueKind.Object ? args : default, spec) is { } invalid)
            {
                throw new ScenarioException($"scenario '{source}' step {i} ({step.Execute}): {invalid}");
            }
        }
        if (doc.Loop && steps.Sum(s => s.Delay) <= 0)
        {
            throw new ScenarioException($"scenario '{source}' loops but its delays add up to zero");
        }
        return doc;
    }
}

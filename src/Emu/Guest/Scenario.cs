using System.Text.Json;
using System.Text.Json.Serialization;

namespace Appliance.Emu.Guest;

/// <summary>A scenario file: steps the guest (or a display client) takes, each a QMP command run after a delay.</summary>
/// <param name="Steps">The steps, in order.</param>
/// <param name="Description">What the scenario shows.</param>
/// <param name="Loop">Start again after the last step.</param>
internal sealed record ScenarioDocument(ScenarioStep[] Steps, string? Description = null, bool Loop = false);

/// <summary>One step: wait <see cref="Delay"/> seconds after the previous step, then run <see cref="Execute"/>.</summary>
internal sealed record ScenarioStep(double Delay, string Execute, JsonElement? Arguments = null, string? Comment = null);

/// <summary>Source-generated reading of scenario files (camelCase members, comments and trailing commas allowed).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    MaxDepth = 32)]
[JsonSerializable(typeof(ScenarioDocument))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Appliance.Bridge.Indicators.Boards;

/// <summary>Source-generated JSON for board profiles (AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(BoardProfile))]
internal sealed partial class BoardJsonContext : JsonSerializerContext;

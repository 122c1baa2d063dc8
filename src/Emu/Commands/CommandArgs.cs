using System.Text.Json;

namespace Appliance.Emu.Commands;

/// <summary>A command's arguments after validation against its <see cref="CommandSpec"/>: typed getters that cannot fail.</summary>
internal readonly struct CommandArgs(JsonElement root)
{
    public bool Has(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string String(string name) => OptionalString(name) ?? "";

    public string? OptionalString(string name) => Has(name) ? root.GetProperty(name).GetString() : null;

    public long Integer(string name, long fallback = 0) => Has(name) ? root.GetProperty(name).GetInt64() : fallback;

    public bool Boolean(string name, bool fallback = false) => Has(name) ? root.GetProperty(name).GetBoolean() : fallback;

    public JsonElement Element(string name) => Has(name) ? root.GetProperty(name) : default;

    /// <summary>Checks the arguments against the declared parameters, returning QEMU's error text for the first problem.</summary>
    public static string? Validate(JsonElement args, CommandSpec spec)
    {
        foreach (var p in spec.Params)
        {
            if (args.ValueKind != JsonValueKind.Object || !args.TryGetProperty(p.Name, out var value))
            {
                if (p.Required) return $"Parameter '{p.Name}' is missing";
                continue;
            }
            if (!HasType(value, p.Type)) return $"Invalid parameter type for '{p.Name}', expected: {p.TypeName}";
            if (p.Values is { } values && !values.Contains(value.GetString()))
            {
                return $"Parameter '{p.Name}' does not accept value '{value.GetString()}'";
            }
        }
        if (spec.AllowsExtra || args.ValueKind != JsonValueKind.Object) return null;
        foreach (var member in args.EnumerateObject())
        {
            if (!spec.Params.Any(p => p.Name == member.Name)) return $"Parameter '{member.Name}' is unexpected";
        }
        return null;
    }

    private static bool HasType(JsonElement value, ParamType type) => type switch
    {
        ParamType.String => value.ValueKind == JsonValueKind.String,
        ParamType.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        ParamType.Number => value.ValueKind == JsonValueKind.Number,
        ParamType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        ParamType.Object => value.ValueKind == JsonValueKind.Object,
        ParamType.Array => value.ValueKind == JsonValueKind.Array,
        _ => true,
    };
}

namespace Appliance.Emu.Commands;

/// <summary>JSON types a command parameter may have, named as QEMU names them in its error texts.</summary>
internal enum ParamType
{
    String,
    Integer,
    Boolean,
    Number,
    Object,
    Array,
    Any,
}

/// <summary>One declared command parameter; <see cref="Values"/> restricts a string to an enum.</summary>
internal sealed record ParamSpec(string Name, ParamType Type, bool Required, string[]? Values = null)
{
    public static ParamSpec Req(string name, ParamType type) => new(name, type, true);

    public static ParamSpec Opt(string name, ParamType type) => new(name, type, false);

    public static ParamSpec Enum(string name, bool required, params string[] values) => new(name, ParamType.String, required, values);

    public string TypeName => Type switch
    {
        ParamType.String => "string",
        ParamType.Integer => "integer",
        ParamType.Boolean => "boolean",
        ParamType.Number => "number",
        ParamType.Object => "object",
        ParamType.Array => "array",
        _ => "any",
    };
}

using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Appliance.Bridge.Client;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Mqtt;
using Appliance.Host.Metrics;

namespace Appliance.Host.Configuration;

/// <summary>Every configuration key the appliance reads, derived from the options classes' public settable
/// properties (so a new option is known as soon as it exists). Nested objects and lists of objects are declared
/// here explicitly: a complex property left undeclared fails <see cref="Root"/>'s construction (a test builds it).</summary>
internal static class ConfigurationSchema
{
    /// <summary>The configuration root: the top-level settings and one section per component.</summary>
    public static ObjectNode Root { get; } = ObjectNode.Of<ApplianceOptions>(
        (MonitorOptions.SectionName, ObjectNode.Of<MonitorOptions>(("Vms", new ListNode(ObjectNode.Of<VmMonitorOptions>())))),
        (JournalOptions.SectionName, ObjectNode.Of<JournalOptions>()),
        ("Mqtt", ObjectNode.Of<MqttMirrorOptions>(
            ("Broker", ObjectNode.Of<MqttBrokerOptions>(("Tls", ObjectNode.Of<MqttTlsOptions>()))))),
        ("Indicators", ObjectNode.Of<IndicatorOptions>(
            ("Indicators", new ListNode(ObjectNode.Of<IndicatorDefinition>())),
            ("Rules", new ListNode(ObjectNode.Of<IndicatorRule>())),
            ("AcknowledgeButton", ObjectNode.Of<AcknowledgeButtonOptions>()),
            ("Heartbeat", ObjectNode.Of<HeartbeatOptions>()))),
        (EmulatorSection.SectionName, ObjectNode.Of<EmulatorSection>(("Vms", new ListNode(ObjectNode.Of<EmulatedVmSection>())))),
        (MetricsOptions.SectionName, ObjectNode.Of<MetricsOptions>()));

    /// <summary>Keys that existed once and were replaced, with what to write instead (case-insensitive paths): the
    /// check names the new key rather than calling the old one a typo.</summary>
    public static IReadOnlyDictionary<string, string> Replaced { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Indicators:ExtraCriticalEvents"] = "replaced by the top-level key 'CriticalEvents', the one list of extra critical events "
            + "(the journal, the indicators, the MQTT mirror and the restart replay all follow it): move the names there",
    };

    /// <summary>Keys that existed once and were removed, with what replaces them if anything (case-insensitive paths).
    /// Unlike <see cref="Replaced"/> they are warnings, not errors: each was an optional tuning of a mechanism that is
    /// gone, so a box upgraded with its old file starts, and the check says the key does nothing now.</summary>
    public static IReadOnlyDictionary<string, string> Removed { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Journal:CriticalLogBytes"] = "removed: the critical lane's file (journal.db-critical) has a fixed size, and a "
            + "critical event it cannot take is durable with its synced commit; the key has no effect, delete it",
        ["Journal:FlushCriticalBatches"] = "removed: a commit holding a critical event is always synced before it is reported; "
            + "the key has no effect, delete it",
        ["Journal:CheckpointMaxDelay"] = "removed: checkpoints follow Journal:CheckpointWalBytes and commits are synced within "
            + "Journal:SyncMaxDelay; the key has no effect, delete it",
        ["Journal:Synchronous"] = "removed: ordinary commits are synced within Journal:SyncMaxDelay (0 syncs every commit, what "
            + "'Full' was); the key has no effect, delete it",
    };

    /// <summary>Every key path of the schema (list items as <c>N</c>), for suggesting a key put at the wrong level.</summary>
    public static IReadOnlyList<string> AllPaths { get; } = [.. Paths(Root, "")];

    private static IEnumerable<string> Paths(SchemaNode node, string prefix)
    {
        switch (node)
        {
            case ObjectNode obj:
                foreach (var (name, child) in obj.Properties.Values)
                {
                    string path = prefix.Length == 0 ? name : $"{prefix}:{name}";
                    yield return path;
                    foreach (var p in Paths(child, path)) yield return p;
                }
                break;
            case ListNode list:
                foreach (var p in Paths(list.Element, prefix + ":N")) yield return p;
                break;
        }
    }
}

/// <summary>A node of the key schema.</summary>
internal abstract class SchemaNode;

/// <summary>A single value of <see cref="Type"/> (string, number, bool, duration, enum; nullable allowed).</summary>
internal sealed class LeafNode(Type type) : SchemaNode
{
    public Type Type { get; } = Nullable.GetUnderlyingType(type) ?? type;

    public static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsEnum || t.IsPrimitive || t == typeof(string) || t == typeof(TimeSpan) || t == typeof(decimal);
    }
}

/// <summary>A JSON array (configuration keys 0, 1, ...) of <see cref="Element"/>.</summary>
internal sealed class ListNode(SchemaNode element) : SchemaNode
{
    public SchemaNode Element { get; } = element;
}

/// <summary>A JSON object with known property names (case-insensitive, as the binder matches them).</summary>
internal sealed class ObjectNode : SchemaNode
{
    private ObjectNode(Dictionary<string, (string Name, SchemaNode Node)> properties) => Properties = properties;

    /// <summary>Properties by name, case-insensitive; the value carries the canonical spelling.</summary>
    public IReadOnlyDictionary<string, (string Name, SchemaNode Node)> Properties { get; }

    /// <summary>The public settable properties of <typeparamref name="T"/>; complex ones must be in <paramref name="nested"/>.</summary>
    public static ObjectNode Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(params (string Name, SchemaNode Node)[] nested)
    {
        var properties = new Dictionary<string, (string, SchemaNode)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, node) in nested) properties[name] = (name, node);
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is not { IsPublic: true } || properties.ContainsKey(p.Name)) continue;
            properties[p.Name] = (p.Name, LeafNode.IsScalar(p.PropertyType) ? new LeafNode(p.PropertyType)
                : ScalarList(p.PropertyType) is { } element ? new ListNode(new LeafNode(element))
                : throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is an object or a list of objects: declare it in ConfigurationSchema"));
        }
        return new ObjectNode(properties);
    }

    private static Type? ScalarList(Type type)
    {
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        bool list = definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
            || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>);
        return list && LeafNode.IsScalar(type.GetGenericArguments()[0]) ? type.GetGenericArguments()[0] : null;
    }
}

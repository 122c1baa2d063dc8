namespace Appliance.Bridge.Mqtt;

/// <summary>The mirror's topic layout under <c>{prefix}/{node}</c> (see docs/mqtt.md).</summary>
internal sealed class MqttTopics(string prefix, string node)
{
    private readonly string _root = $"{prefix}/{node}";

    public string Node { get; } = node;

    public string Status => _root + "/status";

    public string Mirror => _root + "/mirror";

    public string CommandFilter => _root + "/vm/+/cmd";

    public string Event(string vm, string eventName) => $"{Vm(vm)}/event/{Level(eventName)}";

    /// <summary>An event of the node itself rather than of one VM (the mirror's backlog-limit gap).</summary>
    public string NodeEvent(string eventName) => $"{_root}/event/{Level(eventName)}";

    public string EventFilter(string vm) => Vm(vm) + "/event/+";

    public string State(string vm) => Vm(vm) + "/state";

    public string Monitor(string vm) => Vm(vm) + "/monitor";

    public string Command(string vm) => Vm(vm) + "/cmd";

    public string CommandReply(string vm) => Vm(vm) + "/cmd/reply";

    public string Indicator(string name) => $"{_root}/indicator/{Level(name)}";

    /// <summary>The VM named by a command topic, or null when the topic is not one.</summary>
    public string? VmOfCommandTopic(string topic)
    {
        string start = _root + "/vm/";
        if (!topic.StartsWith(start, StringComparison.Ordinal) || !topic.EndsWith("/cmd", StringComparison.Ordinal)) return null;
        string vm = topic[start.Length..^"/cmd".Length];
        return vm.Length == 0 || vm.Contains('/', StringComparison.Ordinal) ? null : vm;
    }

    /// <summary>True when <paramref name="level"/> can be one topic level as it is.</summary>
    public static bool IsValidLevel(string level) =>
        !string.IsNullOrEmpty(level) && level.IndexOfAny(['/', '+', '#', '\0']) < 0;

    /// <summary>True when <paramref name="name"/> can be a QMP command name on the allowlist.</summary>
    public static bool IsValidCommandName(string name) =>
        !string.IsNullOrEmpty(name) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>A name made safe as one topic level: wildcards and separators become '_'.</summary>
    public static string Level(string name) =>
        IsValidLevel(name) ? name : string.IsNullOrEmpty(name) ? "_" : string.Create(name.Length, name, (span, n) =>
        {
            for (int i = 0; i < n.Length; i++) span[i] = n[i] is '/' or '+' or '#' or '\0' ? '_' : n[i];
        });

    private string Vm(string vm) => $"{_root}/vm/{Level(vm)}";
}

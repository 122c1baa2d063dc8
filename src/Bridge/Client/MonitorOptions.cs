using Appliance.Qmp;

namespace Appliance.Bridge.Client;

/// <summary>Configuration of the QMP monitors (section <c>Monitors</c>): explicit VMs, an optional glob of
/// sockets that come and go, and the timeouts of every phase.</summary>
public sealed class MonitorOptions
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "Monitors";

    /// <summary>VMs with a fixed endpoint.</summary>
    public IList<VmMonitorOptions> Vms { get; set; } = [];

    /// <summary>A socket glob such as <c>/run/qemu/*.qmp</c> (wildcards in the file name only); each matching
    /// socket is a VM named after the file without its extension. Null for none.</summary>
    public string? Glob { get; set; }

    /// <summary>Unix sockets (<c>unix:PATH</c>) the appliance listens on for QEMU processes that dial in
    /// (<c>-chardev socket,id=mon0,path=PATH,reconnect=2 -mon chardev=mon0,mode=control</c>); each connection is a VM,
    /// named by <c>query-name</c>, else by the peer process's <c>-name</c> or <c>-uuid</c>, else <c>pid-N</c>.</summary>
    public IList<string> Listen { get; set; } = [];

    /// <summary>Most monitors connected through <see cref="Listen"/> at once (connected or negotiating), and most
    /// dialled-in VMs remembered; further connections are closed at once.</summary>
    public int MaxDialIns { get; set; } = 64;

    /// <summary>How often the glob's directory is rescanned for sockets that appeared or vanished.</summary>
    public TimeSpan GlobRescanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Time allowed to open a monitor socket.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for the greeting.</summary>
    public TimeSpan GreetingTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for the answer to <c>qmp_capabilities</c>.</summary>
    public TimeSpan NegotiationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Default time allowed for a command.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the monitor may be quiet before a <c>query-status</c> stall check is sent.</summary>
    public TimeSpan StallCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time the stall check may take before the monitor counts as stalled; after as long again, it is reconnected.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before reconnecting.</summary>
    public TimeSpan ReconnectMin { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay before reconnecting (the exponential backoff stops growing here).</summary>
    public TimeSpan ReconnectMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest line accepted from a monitor, in bytes.</summary>
    public int MaxLineBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Enable QMP out-of-band execution where offered.</summary>
    public bool EnableOob { get; set; }

    /// <summary>Events one monitor holds in memory while the journal pushes back (the monitor is then
    /// <see cref="Pipeline.MonitorState.Backpressured"/>); past it, events are counted and recorded as lost in one gap marker.</summary>
    public int BacklogCapacity { get; set; } = 65_536;

    /// <summary>Throws <see cref="ArgumentException"/> naming every wrong key and what is wrong with it.</summary>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException("invalid monitor configuration: " + string.Join("; ", problems));
    }

    /// <summary>Every problem of these options, one line each, naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Vms.Count; i++)
        {
            var vm = Vms[i];
            if (vm is null) { problems.Add($"{SectionName}:Vms:{i} is empty"); continue; }
            string key = vm.DeclaredAt ?? $"{SectionName}:Vms:{i}";
            if (vm.DeclaredAt is null && !VmMonitorOptions.IsValidName(vm.Name))
                problems.Add($"{key}:Name '{vm.Name}' must be 1-64 characters of letters, digits, '-', '_' or '.'");
            else if (!names.Add(vm.Name)) problems.Add($"{key}:Name '{vm.Name}' is used twice");
            if (!QmpEndpoint.TryParse(vm.Endpoint, out var endpoint, out var error)) problems.Add($"{key}:Endpoint: {error}");
            else if (endpoint.Kind == QmpEndpointKind.Tcp && endpoint.Port == 0) problems.Add($"{key}:Endpoint: '{vm.Endpoint}' needs a port from 1 to 65535 to connect to");
        }
        if (Glob is not null && MonitorGlob.Describe(Glob) is { } globError) problems.Add($"{SectionName}:Glob: {globError}");
        for (int i = 0; i < Listen.Count; i++)
        {
            if (!QmpEndpoint.TryParse(Listen[i], out var endpoint, out var error)) problems.Add($"{SectionName}:Listen:{i}: {error}");
            else if (endpoint.Kind != QmpEndpointKind.Unix) problems.Add($"{SectionName}:Listen:{i}: '{Listen[i]}' must be unix:PATH (QEMU's peer is identified by its process)");
        }
        if (MaxDialIns < 1) problems.Add($"{SectionName}:MaxDialIns ({MaxDialIns}) must be at least 1");
        if (Vms.Count == 0 && Glob is null && Listen.Count == 0) problems.Add($"{SectionName} configures no VM: set Vms, Glob or Listen");
        Positive(problems, nameof(GlobRescanInterval), GlobRescanInterval);
        Positive(problems, nameof(ConnectTimeout), ConnectTimeout);
        Positive(problems, nameof(GreetingTimeout), GreetingTimeout);
        Positive(problems, nameof(NegotiationTimeout), NegotiationTimeout);
        Positive(problems, nameof(CommandTimeout), CommandTimeout);
        Positive(problems, nameof(StallCheckInterval), StallCheckInterval);
        Positive(problems, nameof(StallTimeout), StallTimeout);
        Positive(problems, nameof(ReconnectMin), ReconnectMin);
        if (ReconnectMax < ReconnectMin) problems.Add($"{SectionName}:ReconnectMax ({ReconnectMax}) must not be less than ReconnectMin ({ReconnectMin})");
        if (BacklogCapacity < 1) problems.Add($"{SectionName}:BacklogCapacity ({BacklogCapacity}) must be at least 1");
        if (MaxLineBytes < 4096) problems.Add($"{SectionName}:MaxLineBytes ({MaxLineBytes}) must be at least 4096");
        return problems;
    }

    /// <summary>The per-connection limits these options imply.</summary>
    public QmpClientOptions ToClientOptions() => new()
    {
        ConnectTimeout = ConnectTimeout,
        GreetingTimeout = GreetingTimeout,
        NegotiationTimeout = NegotiationTimeout,
        CommandTimeout = CommandTimeout,
        MaxLineBytes = MaxLineBytes,
        EnableOob = EnableOob,
    };

    private static void Positive(List<string> problems, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) problems.Add($"{SectionName}:{key} ({value}) must be positive");
    }
}

/// <summary>One VM with a fixed monitor endpoint.</summary>
public sealed class VmMonitorOptions
{
    /// <summary>The VM's name in topics, the journal and the CLI.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>unix:PATH</c> or <c>tcp:HOST:PORT</c>.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Where another section declared this entry (an emulated VM's <c>Emulator:Vms:N</c>), which checks its name
    /// itself; null for the entries of <c>Monitors:Vms</c>. Problems name this key, the one the user wrote.</summary>
    public string? DeclaredAt { get; private init; }

    /// <summary>An entry that the section at <paramref name="key"/> declared.</summary>
    public static VmMonitorOptions DeclaredElsewhere(string key, string name, string endpoint) =>
        new() { DeclaredAt = key, Name = name, Endpoint = endpoint };

    /// <summary>True for names usable in MQTT topics and file names.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

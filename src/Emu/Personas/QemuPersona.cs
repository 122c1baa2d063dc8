using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Personas;

/// <summary>A QEMU release the emulator can pose as: the version it greets with and which events, with which members,
/// that release's <c>qapi/*.json</c> defines. The one place that knows what changed between releases.</summary>
/// <remarks>The machine always builds each event with every member the newest persona knows; the persona then drops
/// what its release does not have (<see cref="Shape"/>) or the whole event (<see cref="HasEvent"/>).</remarks>
public sealed class QemuPersona
{
    /// <summary>QEMU 7.2 (the default, and the QEMU Debian 12 ships): greets as 7.2.22.</summary>
    public static QemuPersona V7_2 { get; } = new("7.2", new QmpVersion(7, 2, 22, Package));

    /// <summary>QEMU 8.2: greets as 8.2.0.</summary>
    public static QemuPersona V8_2 { get; } = new("8.2", new QmpVersion(8, 2, 0, Package));

    /// <summary>QEMU 9.2: greets as 9.2.0.</summary>
    public static QemuPersona V9_2 { get; } = new("9.2", new QmpVersion(9, 2, 0, Package));

    /// <summary>Every persona, oldest first.</summary>
    public static IReadOnlyList<QemuPersona> All { get; } = [V7_2, V8_2, V9_2];

    /// <summary>The persona used when none is chosen.</summary>
    public static QemuPersona Default => V7_2;

    /// <summary>What the emulator reports as its package in the greeting and <c>query-version</c>.</summary>
    public const string Package = " (appliance-emu)";

    // Events whose existence depends on the release: (first release with it, first release without it).
    // GUEST_PVSHUTDOWN: qapi/run-state.json "Since: 9.1". MEM_UNPLUG_ERROR: deprecated since 6.2 in favour of
    // DEVICE_UNPLUG_GUEST_ERROR, removed from qapi/machine.json in 9.1.
    private static readonly Dictionary<string, (Release Since, Release? Until)> EventLifetimes = new(StringComparer.Ordinal)
    {
        [QmpEventNames.GuestPvshutdown] = (new(9, 1), null),
        [QmpEventNames.MemUnplugError] = (new(0, 0), new(9, 1)),
    };

    // BLOCK_IO_ERROR 'qom-path' (qapi/block-core.json): optional in 9.1, mandatory since 9.2.
    private static readonly Release BlockIoErrorQomPathSince = new(9, 1);

    private readonly Release _release;

    private QemuPersona(string name, QmpVersion version)
    {
        Name = name;
        Version = version;
        _release = new Release(version.Major, version.Minor);
    }

    /// <summary>How the persona is chosen on the command line and in configuration: "7.2", "8.2" or "9.2".</summary>
    public string Name { get; }

    /// <summary>The version in the greeting and in <c>query-version</c>.</summary>
    public QmpVersion Version { get; }

    /// <summary>The accepted names, for error messages and help.</summary>
    public static string Names => string.Join(", ", All.Select(p => p.Name));

    /// <summary>Finds a persona by name ("7.2"; "7.2.0" and "v7.2" are accepted too).</summary>
    public static bool TryParse(string? text, out QemuPersona persona)
    {
        persona = Default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string t = text.Trim().TrimStart('v', 'V');
        foreach (var p in All)
        {
            if (t == p.Name || t == p.Name + ".0" || t == $"{p.Version.Major}.{p.Version.Minor}.{p.Version.Micro}")
            {
                persona = p;
                return true;
            }
        }
        return false;
    }

    /// <summary>Finds a persona by name, or throws naming the accepted ones.</summary>
    /// <exception cref="ArgumentException">No persona has that name.</exception>
    public static QemuPersona Parse(string? text) => TryParse(text, out var p)
        ? p
        : throw new ArgumentException($"QEMU version '{text}' is not one of {Names}", nameof(text));

    /// <summary>True when this release's schema defines the event.</summary>
    public bool HasEvent(string name) =>
        !EventLifetimes.TryGetValue(name, out var life) || (_release >= life.Since && (life.Until is not { } until || _release < until));

    /// <summary>The event data as this release sends it: members it does not define removed.</summary>
    public QmpEventData? Shape(string name, QmpEventData? data) => data switch
    {
        BlockIoErrorEvent e when _release < BlockIoErrorQomPathSince && e.QomPath is not null => e with { QomPath = null },
        _ => data,
    };

    /// <inheritdoc/>
    public override string ToString() => Name;

    private readonly record struct Release(int Major, int Minor) : IComparable<Release>
    {
        public int CompareTo(Release other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);
        public static bool operator <(Release a, Release b) => a.CompareTo(b) < 0;
        public static bool operator >(Release a, Release b) => a.CompareTo(b) > 0;
        public static bool operator <=(Release a, Release b) => a.CompareTo(b) <= 0;
        public static bool operator >=(Release a, Release b) => a.CompareTo(b) >= 0;
    }
}

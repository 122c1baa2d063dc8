using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Configuration;

/// <summary>Top-level settings of the appliance (configuration root). Component sections (Monitors, Journal, Mqtt,
/// Indicators, Emulator) have their own option classes.</summary>
internal sealed class ApplianceOptions : IValidatableObject
{
    /// <summary>What a node name may be: it becomes an MQTT topic level and a status field.</summary>
    public const string NodePattern = @"^[A-Za-z0-9_.-]{1,64}$";

    /// <summary>Whether <paramref name="node"/> matches <see cref="NodePattern"/>.</summary>
    public static bool IsValidNode(string? node) => node is not null && System.Text.RegularExpressions.Regex.IsMatch(node, NodePattern);

    /// <summary>This box's name in MQTT topics and status; defaults to the host name.</summary>
    [Required, RegularExpression(NodePattern, ErrorMessage = "Node must be 1-64 characters of letters, digits, '_', '.', '-' (it becomes an MQTT topic level)")]
    public string Node { get; set; } = DefaultNode();

    /// <summary>Where the journal lives by default (systemd's StateDirectory).</summary>
    [Required]
    public string StateDirectory { get; set; } = DefaultStateDirectory();

    /// <summary>Where the control socket lives (systemd's RuntimeDirectory).</summary>
    [Required]
    public string RuntimeDirectory { get; set; } = DefaultRuntimeDirectory();

    /// <summary>Terminal dashboard: <c>auto</c> (when stdout is a terminal), <c>on</c> or <c>off</c>.</summary>
    [RegularExpression("^(auto|on|off)$", ErrorMessage = "Dashboard must be auto, on or off")]
    public string Dashboard { get; set; } = "auto";

    /// <summary>What an event name in <see cref="CriticalEvents"/> may be: QMP event names are upper case.</summary>
    public const string EventNamePattern = "^[A-Z][A-Z0-9_]{0,63}$";

    /// <summary>Event names treated as critical in addition to the built-in ones: the one criticality key, followed by
    /// the journal, the indicators, the MQTT mirror and the restart replay of latched alarms.</summary>
    public List<string> CriticalEvents { get; set; } = [];

    /// <summary>How long a clean stop may take before the process exits anyway.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>The control socket's path.</summary>
    public string ControlSocketPath => Path.Combine(RuntimeDirectory, Control.ControlProtocol.SocketFileName);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ShutdownTimeout < TimeSpan.FromSeconds(1) || ShutdownTimeout > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"ShutdownTimeout is {ShutdownTimeout}; allowed: 00:00:01 to 00:01:00", [nameof(ShutdownTimeout)]);
        }
        for (int i = 0; i < CriticalEvents.Count; i++)
        {
            if (CriticalEvents[i] is { } name && System.Text.RegularExpressions.Regex.IsMatch(name, EventNamePattern)) continue;
            yield return new ValidationResult($"CriticalEvents:{i} = '{CriticalEvents[i]}' is not an event name; allowed: upper-case letters, digits and '_' "
                + "as QEMU spells them (WATCHDOG, RESET, BLOCK_JOB_ERROR)", [nameof(CriticalEvents)]);
        }
    }

    private static string DefaultNode()
    {
        string host = Environment.MachineName;
        return string.IsNullOrWhiteSpace(host) ? "appliance" : host;
    }

    /// <summary>$STATE_DIRECTORY under systemd, else $XDG_STATE_HOME/appliance or ~/.local/state/appliance.</summary>
    public static string DefaultStateDirectory() =>
        Environment.GetEnvironmentVariable("STATE_DIRECTORY")?.Split(':')[0]
        ?? Path.Combine(Environment.GetEnvironmentVariable("XDG_STATE_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"), "appliance");

    /// <summary>$RUNTIME_DIRECTORY under systemd, else $XDG_RUNTIME_DIR/appliance or /tmp/appliance-UID.</summary>
    public static string DefaultRuntimeDirectory() =>
        Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY")?.Split(':')[0]
        ?? (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg
            ? Path.Combine(xdg, "appliance")
            : Path.Combine(Path.GetTempPath(), $"appliance-{EffectiveUserId()}"));

    // The numeric uid from the kernel, not Environment.UserName: that needs a passwd entry, which minimal root
    // filesystems and containers often lack for the user they run as (every verb then failed).
    private static string EffectiveUserId()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("Uid:", StringComparison.Ordinal)) continue;
                string[] ids = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                if (ids.Length > 1) return ids[1];
            }
        }
        catch (IOException)
        {
            // No /proc: fall through to the environment.
        }
        return Environment.GetEnvironmentVariable("USER") ?? "user";
    }
}

/// <summary>Source-generated (AOT-safe) validation of <see cref="ApplianceOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class ApplianceOptionsValidator : IValidateOptions<ApplianceOptions>;

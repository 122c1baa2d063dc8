using System.Text.Json;
using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators.Boards;

/// <summary>The board profiles the appliance knows, loaded from a directory of <c>*.json</c> files.
/// The <c>sim</c> board is always present (built in), so a development machine needs no files.</summary>
public sealed class BoardCatalog
{
    /// <summary>Name of the built-in simulated board.</summary>
    public const string SimulatedBoard = "sim";

    private readonly Dictionary<string, BoardProfile> _boards;

    private BoardCatalog(Dictionary<string, BoardProfile> boards) => _boards = boards;

    /// <summary>Where the host looks for profiles, in order: <c>boards/</c> next to the executable, then /usr/share/appliance/boards.</summary>
    public static IReadOnlyList<string> DefaultDirectories { get; } =
        [Path.Combine(AppContext.BaseDirectory, "boards"), "/usr/share/appliance/boards"];

    /// <summary>All boards, by name.</summary>
    public IReadOnlyCollection<BoardProfile> Boards => _boards.Values;

    /// <summary>Loads every profile in the first of <paramref name="directories"/> that exists (default
    /// <see cref="DefaultDirectories"/>); with none, only the built-in <c>sim</c> board.</summary>
    /// <exception cref="IndicatorConfigurationException">A file is not a valid profile, or two files name the same board.</exception>
    public static BoardCatalog Load(IEnumerable<string>? directories = null)
    {
        var boards = new Dictionary<string, BoardProfile>(StringComparer.OrdinalIgnoreCase) { [SimulatedBoard] = BuiltInSim() };
        var directory = (directories ?? DefaultDirectories).FirstOrDefault(Directory.Exists);
        if (directory is null) return new BoardCatalog(boards);
        var fromFiles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var profile = Parse(File.ReadAllBytes(file), file);
            if (!fromFiles.Add(profile.Name))
            {
                throw new IndicatorConfigurationException($"board profile {file}: board '{profile.Name}' is defined twice in {directory}");
            }
            boards[profile.Name] = profile;
        }
        return new BoardCatalog(boards);
    }

    /// <summary>Parses and validates one profile.</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="origin">File name, for messages.</param>
    public static BoardProfile Parse(ReadOnlySpan<byte> json, string origin)
    {
        BoardProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, BoardJsonContext.Default.BoardProfile);
        }
        catch (JsonException e)
        {
            throw new IndicatorConfigurationException($"board profile {origin} is not valid: {e.Message}", e);
        }
        if (profile is null) throw new IndicatorConfigurationException($"board profile {origin} is empty");
        profile.Validate(origin);
        return profile;
    }

    /// <summary>The board named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="IndicatorConfigurationException">No such board; the message lists the known ones.</exception>
    public BoardProfile Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_boards.TryGetValue(name, out var board)) return board;
        throw new IndicatorConfigurationException(
            $"Indicators:Board = '{name}' is not a known board; known: {string.Join(", ", _boards.Keys.Order(StringComparer.Ordinal))}");
    }

    private static BoardProfile BuiltInSim() => new()
    {
        Name = SimulatedBoard,
        Description = "Simulated GPIO: chip gpiochip0 with 64 lines",
        Source = "built in",
        Driver = GpioDrivers.Simulated,
        Pins = [.. Enumerable.Range(0, 64).Select(i => new BoardPin
        {
            Names = [$"SIM{i}", .. i < SimAliases.Length ? [SimAliases[i]] : Array.Empty<string>()],
            Chip = "gpiochip0",
            Line = (uint)i,
        })],
    };

    private static readonly string[] SimAliases = ["STATUS", "ALARM", "RELAY", "BUTTON", "HEARTBEAT"];
}

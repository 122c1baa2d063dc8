using System.Device.Gpio;
using Appliance.Bridge.Indicators.Boards;

namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>Which <see cref="GpioDriver"/> a board profile's <c>driver</c> names, and the controller factory for it.</summary>
public static class GpioDrivers
{
    /// <summary>The Linux character device, uAPI v2 (<see cref="ChardevGpioDriver"/>): the default.</summary>
    public const string Chardev = "chardev";

    /// <summary>System.Device.Gpio's libgpiod 1.x driver (<see cref="LibGpiodLineDriver"/>); needs <c>libgpiod.so.2</c>.</summary>
    public const string Libgpiod = "libgpiod";

    /// <summary>GPIO in memory (<see cref="SimulatedGpioDriver"/>): the built-in <c>sim</c> board.</summary>
    public const string Simulated = "sim";

    /// <summary>Every name a profile's <c>driver</c> may have.</summary>
    public static IReadOnlyList<string> Names { get; } = [Chardev, Libgpiod, Simulated];

    /// <summary>The factory for <paramref name="board"/>'s driver (empty means <see cref="Chardev"/>).</summary>
    /// <param name="board">The board profile.</param>
    /// <param name="simulation">The chips a <see cref="Simulated"/> board drives (new ones when null).</param>
    /// <param name="devDirectory">Where the chips are (default /dev).</param>
    /// <param name="faults">Where the chardev driver reports input lines whose edges can no longer be read (the
    /// host's health check reads it); System.Device.Gpio's libgpiod driver has no way to report them.</param>
    /// <exception cref="IndicatorConfigurationException">The profile names no known driver.</exception>
    public static GpioControllerFactory For(BoardProfile board, SimulatedGpioChips? simulation = null, string devDirectory = "/dev", GpioInputFaults? faults = null)
    {
        ArgumentNullException.ThrowIfNull(board);
        return board.Driver switch
        {
            "" or Chardev => lines => new GpioController(new ChardevGpioDriver(lines, devDirectory, faults)),
            Libgpiod => lines => new GpioController(new LibGpiodLineDriver(lines, devDirectory)),
            Simulated => lines => new GpioController(new SimulatedGpioDriver(simulation ?? new SimulatedGpioChips(), lines)),
            _ => throw new IndicatorConfigurationException(UnknownDriver(board.Name, board.Driver)),
        };
    }

    internal static string UnknownDriver(string board, string driver) =>
        $"board '{board}': driver '{driver}' is not known; allowed: {string.Join(", ", Names)}";
}

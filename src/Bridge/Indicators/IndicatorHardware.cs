using Appliance.Bridge.Indicators.Boards;
using Appliance.Bridge.Indicators.Gpio;

namespace Appliance.Bridge.Indicators;

/// <summary>The board the indicators' pin names refer to, and how to open its GPIO lines.</summary>
/// <param name="Board">The board profile (see <see cref="BoardCatalog"/>).</param>
/// <param name="OpenGpio">Opens the GPIO controller over the configured lines, on the driver the board names.</param>
public sealed record IndicatorHardware(BoardProfile Board, GpioControllerFactory OpenGpio)
{
    /// <summary>The configured board (<see cref="IndicatorOptions.Board"/>) from the catalog, on the driver its profile
    /// names; the constructor the host's container uses.</summary>
    /// <param name="options">The validated indicator options.</param>
    /// <param name="boards">The board profiles (<see cref="BoardCatalog.Load"/>).</param>
    /// <param name="simulation">The chips the simulated board drives.</param>
    /// <param name="faults">Where the chardev driver reports input lines whose edges can no longer be read.</param>
    /// <exception cref="IndicatorConfigurationException">The board or its driver is not known.</exception>
    public IndicatorHardware(IndicatorOptions options, BoardCatalog boards, SimulatedGpioChips simulation, GpioInputFaults faults)
        : this((boards ?? throw new ArgumentNullException(nameof(boards))).Get((options ?? throw new ArgumentNullException(nameof(options))).Board),
            simulation, faults)
    {
    }

    private IndicatorHardware(BoardProfile board, SimulatedGpioChips simulation, GpioInputFaults faults)
        : this(board, GpioDrivers.For(board, simulation, faults: faults))
    {
    }
}

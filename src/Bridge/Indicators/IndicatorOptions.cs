using Appliance.Bridge.Pipeline;

namespace Appliance.Bridge.Indicators;

/// <summary>Configuration of the GPIO indicators (section <c>Indicators</c>). <see cref="Validate"/> names the key,
/// the value and what is allowed.</summary>
public sealed class IndicatorOptions
{
    /// <summary>Relays are mechanical: blinking one faster than this wears it out.</summary>
    public static readonly TimeSpan MinimumRelayBlinkPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>Board profile name (see boards/*.json); <c>sim</c> is built in.</summary>
    public string Board { get; set; } = "sim";

    /// <summary>The LEDs and relays.</summary>
    public List<IndicatorDefinition> Indicators { get; set; } = [];

    /// <summary>The rules driving them.</summary>
    public List<IndicatorRule> Rules { get; set; } = [];

    /// <summary>An optional acknowledge push button.</summary>
    public AcknowledgeButtonOptions? AcknowledgeButton { get; set; }

    /// <summary>An optional heartbeat output.</summary>
    public HeartbeatOptions? Heartbeat { get; set; }

    /// <summary>How many journal rows the restart replay of latched alarms reads at most.</summary>
    public int ReplayLimit { get; set; } = 1000;

    /// <summary>The out-of-the-box setup: a <c>status</c> LED following the run state (running solid, paused slow
    /// blink, shutdown off), and an <c>alarm</c> LED and <c>alarm-relay</c> latched on every critical event
    /// (as <see cref="CriticalEventClassifier"/> decides).</summary>
    /// <param name="board">Board profile name.</param>
    /// <param name="statusPin">Pin of the status LED.</param>
    /// <param name="alarmPin">Pin of the alarm LED.</param>
    /// <param name="relayPin">Pin of the alarm relay.</param>
    public static IndicatorOptions CreateDefault(string board = "sim", string statusPin = "STATUS", string alarmPin = "ALARM", string relayPin = "RELAY") => new()
    {
        Board = board,
        Indicators =
        [
            new() { Name = "status", Pin = statusPin },
            new() { Name = "alarm", Pin = alarmPin },
            new() { Name = "alarm-relay", Pin = relayPin, Kind = IndicatorKind.Relay },
        ],
        Rules =
        [
            new() { Name = "status-shutdown", Indicator = "status", RunStates = ["shutdown"], Action = IndicatorAction.Off, Priority = 5 },
            new() { Name = "status-running", Indicator = "status", RunStates = ["running"], Action = IndicatorAction.On, Priority = 10 },
            new() { Name = "status-paused", Indicator = "status", RunStates = ["paused"], Action = IndicatorAction.Blink, Period = TimeSpan.FromSeconds(2), Duty = 0.5, Priority = 20 },
            new() { Name = "alarm-led", Indicator = "alarm", Critical = true, Latch = true, Action = IndicatorAction.Blink, Period = TimeSpan.FromMilliseconds(500), Duty = 0.5, Priority = 100 },
            new() { Name = "alarm-relay", Indicator = "alarm-relay", Critical = true, Latch = true, Action = IndicatorAction.On, Priority = 100 },
        ],
    };

    /// <summary>Checks everything that does not need the board or the hardware.</summary>
    /// <exception cref="IndicatorConfigurationException">Every problem found, in one message.</exception>
    public void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new IndicatorConfigurationException(string.Join("; ", problems));
    }

    /// <summary>Every problem that does not need the board or the hardware, one line each naming the key.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Require(bool condition, string key, object? value, string allowed)
        {
            if (!condition) problems.Add($"{key} = '{value}' is not valid; allowed: {allowed}");
        }

        Require(!string.IsNullOrWhiteSpace(Board), "Indicators:Board", Board, "a board profile name such as rpi4b, rpi5, rpi-zero2w, beaglebone-black, sim");
        Require(ReplayLimit is > 0 and <= 100_000, "Indicators:ReplayLimit", ReplayLimit, "1..100000");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Indicators.Count; i++)
        {
            var d = Indicators[i];
            string key = $"Indicators:Indicators:{i}";
            Require(!string.IsNullOrWhiteSpace(d.Name), $"{key}:Name", d.Name, "a non-empty name");
            Require(names.Add(d.Name), $"{key}:Name", d.Name, "a name not used by another indicator");
            Require(d.Name is not ("acknowledge-button" or "heartbeat"), $"{key}:Name", d.Name, "any name but acknowledge-button and heartbeat (reserved for those lines)");
            Require(!string.IsNullOrWhiteSpace(d.Pin), $"{key}:Pin", d.Pin, "a pin name of the board or chip:line");
            Require(Enum.IsDefined(d.Kind), $"{key}:Kind", d.Kind, "Led, Relay");
            Require(Enum.IsDefined(d.Drive), $"{key}:Drive", d.Drive, "PushPull, OpenDrain, OpenSource");
            Require(Enum.IsDefined(d.Bias), $"{key}:Bias", d.Bias, "AsIs, Disabled, PullUp, PullDown");
            Require(Enum.IsDefined(d.SafeState), $"{key}:SafeState", d.SafeState, "Off, On");
        }
        for (int i = 0; i < Rules.Count; i++) ValidateRule(Rules[i], $"Indicators:Rules:{i}", Require);
        if (AcknowledgeButton is { } button)
        {
            Require(!string.IsNullOrWhiteSpace(button.Pin), "Indicators:AcknowledgeButton:Pin", button.Pin, "a pin name of the board or chip:line");
            Require(button.Debounce >= TimeSpan.Zero && button.Debounce <= TimeSpan.FromSeconds(1), "Indicators:AcknowledgeButton:Debounce", button.Debounce, "0 to 1 s");
        }
        if (Heartbeat is { } heartbeat)
        {
            Require(!string.IsNullOrWhiteSpace(heartbeat.Pin), "Indicators:Heartbeat:Pin", heartbeat.Pin, "a pin name of the board or chip:line");
            Require(heartbeat.Interval >= TimeSpan.FromMilliseconds(10) && heartbeat.Interval <= TimeSpan.FromMinutes(1), "Indicators:Heartbeat:Interval", heartbeat.Interval, "10 ms to 1 min");
        }
        return problems;
    }

    /// <summary>Every pin name that is not on <paramref name="board"/>, then (when all resolve) two users of one line.</summary>
    public IReadOnlyList<string> PinProblems(Boards.BoardProfile board)
    {
        ArgumentNullException.ThrowIfNull(board);
        var problems = new List<string>();
        void Check(string key, string pin)
        {
            try
            {
                board.Resolve(pin);
            }
            catch (IndicatorConfigurationException e)
            {
                problems.Add($"{key}: {e.Message}");
            }
        }

        for (int i = 0; i < Indicators.Count; i++) Check($"Indicators:Indicators:{i}:Pin", Indicators[i].Pin);
        if (AcknowledgeButton is { } button) Check("Indicators:AcknowledgeButton:Pin", button.Pin);
        if (Heartbeat is { } heartbeat) Check("Indicators:Heartbeat:Pin", heartbeat.Pin);
        if (problems.Count > 0) return problems;
        try
        {
            IndicatorLines.Resolve(this, board);
        }
        catch (IndicatorConfigurationException e)
        {
            problems.Add(e.Message);
        }
        return problems;
    }

    private void ValidateRule(IndicatorRule rule, string key, Action<bool, string, object?, string> require)
    {
        var indicator = Indicators.FirstOrDefault(d => d.Name == rule.Indicator);
        require(indicator is not null, $"{key}:Indicator", rule.Indicator, $"one of the configured indicators ({string.Join(", ", Indicators.Select(d => d.Name))})");
        if (indicator is null) return;
        int triggers = (rule.Events.Count > 0 ? 1 : 0) + (rule.Critical ? 1 : 0) + (rule.RunStates.Count > 0 ? 1 : 0);
        require(triggers == 1, $"{key}:Events|Critical|RunStates", $"{triggers} triggers", "exactly one of Events, Critical=true, RunStates");
        require(Enum.IsDefined(rule.Action), $"{key}:Action", rule.Action, "On, Off, Blink, Pulse");
        if (rule.Action == IndicatorAction.Blink)
        {
            require(rule.Period >= TimeSpan.FromMilliseconds(20) && rule.Period <= TimeSpan.FromMinutes(1), $"{key}:Period", rule.Period, "20 ms to 1 min");
            require(rule.Duty > 0 && rule.Duty < 1, $"{key}:Duty", rule.Duty, "greater than 0 and less than 1");
            require(indicator.Kind != IndicatorKind.Relay || rule.Period >= MinimumRelayBlinkPeriod, $"{key}:Period", rule.Period,
                $"at least {MinimumRelayBlinkPeriod.TotalMilliseconds} ms for relay '{indicator.Name}'");
        }
        if (rule.IsStateRule)
        {
            require(!rule.Latch, $"{key}:Latch", rule.Latch, "false for a RunStates rule (it holds while the state lasts)");
            require(rule.Duration is null && rule.Action != IndicatorAction.Pulse, $"{key}:Duration", rule.Duration, "unset, and Action not Pulse, for a RunStates rule");
            return;
        }
        if (rule.Latch)
        {
            require(rule.Duration is null && rule.Action != IndicatorAction.Pulse, $"{key}:Latch", rule.Latch, "false when Action is Pulse or Duration is set");
            return;
        }
        require(rule.Duration is { } d && d > TimeSpan.Zero && d <= TimeSpan.FromHours(24), $"{key}:Duration", rule.Duration,
            "0 < Duration <= 24 h for an event rule without Latch (how long it holds)");
    }
}

namespace Appliance.Bridge.Pipeline;

/// <summary>Where the indicators (GPIO LEDs and relays) report their state for <c>{prefix}/{node}/indicator/{name}</c>.</summary>
public interface IIndicatorStateSink
{
    /// <summary>Publishes (retained) the current state of indicator <paramref name="name"/>, for example
    /// <c>{"on": true, "mode": "blink", "reason": "WATCHDOG"}</c>. Cheap and non-blocking; the latest state per
    /// indicator is re-sent after every reconnect.</summary>
    /// <exception cref="ArgumentException"><paramref name="stateJson"/> is not a JSON object.</exception>
    void PublishIndicator(string name, string stateJson);
}

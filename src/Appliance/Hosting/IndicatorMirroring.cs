using System.Buffers;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Mqtt;

namespace Appliance.Host.Hosting;

/// <summary>Publishes every indicator change to MQTT (<c>{prefix}/{node}/indicator/{name}</c>, retained).
/// The indicator path only hands the state over; publishing never blocks it.</summary>
internal static class IndicatorMirroring
{
    public static void Connect(IndicatorBoard indicators, IIndicatorStateSink sink)
    {
        indicators.Changed += state => sink.PublishIndicator(state.Name, ToJson(state));
        foreach (var state in indicators.States) sink.PublishIndicator(state.Name, ToJson(state));
    }

    public static string ToJson(IndicatorState state)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("on", state.Pattern != IndicatorPattern.Off);
            w.WriteString("mode", state.Pattern.ToString().ToLowerInvariant());
            w.WriteString("kind", state.Kind.ToString().ToLowerInvariant());
            w.WriteString("pin", state.Pin);
            if (state.Rule is not null) w.WriteString("reason", state.Rule);
            w.WriteString("since", state.Since);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

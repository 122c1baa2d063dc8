using System.Buffers;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Indicators;
using Appliance.Bridge.Pipeline;
using Microsoft.Extensions.Hosting;

namespace Appliance.Host.Hosting;

/// <summary>Publishes every indicator change to MQTT (<c>{prefix}/{node}/indicator/{name}</c>, retained).
/// The indicator path only hands the state over; publishing never blocks it. A pipeline stage, so the connection is
/// made when the pipeline starts (after the indicators, before the mirror), not as a side effect of construction.</summary>
internal sealed class IndicatorMirroring(IndicatorService indicators, IIndicatorStateSink sink) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        indicators.Indicators.Changed += Publish;
        foreach (var state in indicators.Indicators.States) Publish(state);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        indicators.Indicators.Changed -= Publish;
        return Task.CompletedTask;
    }

    private void Publish(IndicatorState state) => sink.PublishIndicator(state.Name, ToJson(state));

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

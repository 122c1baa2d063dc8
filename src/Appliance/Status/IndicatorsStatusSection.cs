using System.Text.Json;
using Appliance.Bridge.Indicators;

namespace Appliance.Host.Status;

/// <summary>The <c>indicators</c> section: each LED or relay, its pin, what it shows and which rule drives it.</summary>
internal sealed class IndicatorsStatusSection(IndicatorService indicators) : IStatusSection
{
    public string Name => "indicators";

    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartArray();
        foreach (var s in indicators.Indicators.States)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("kind", s.Kind.ToString().ToLowerInvariant());
            w.WriteString("pin", s.Pin);
            w.WriteString("state", s.Pattern.ToString().ToLowerInvariant());
            w.WriteBoolean("level", s.Pattern != IndicatorPattern.Off);
            if (s.Rule is not null) w.WriteString("rule", s.Rule);
            w.WriteString("since", s.Since);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}

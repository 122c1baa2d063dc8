using System.Globalization;
using System.Text;

namespace Appliance.Host.Metrics;

/// <summary>Writes the Prometheus text exposition format (version 0.0.4): one <c># HELP</c> and <c># TYPE</c> line per
/// family, then its samples, label values escaped.</summary>
internal sealed class ExpositionWriter
{
    /// <summary>The content type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(8192);

    /// <summary>Starts a metric family. <paramref name="type"/> is <c>gauge</c>, <c>counter</c> or <c>histogram</c>.</summary>
    public ExpositionWriter Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>Writes one sample; <paramref name="labels"/> are name/value pairs.</summary>
    public ExpositionWriter Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0) _text.Append(',');
                _text.Append(labels[i].Name).Append("=\"");
                AppendEscaped(labels[i].Value);
                _text.Append('"');
            }
            _text.Append('}');
        }
        _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    /// <summary>Writes a whole histogram family: <c>_bucket</c> per bound and <c>+Inf</c>, <c>_sum</c>, <c>_count</c>.</summary>
    public ExpositionWriter Histogram(string name, string help, Appliance.Bridge.Diagnostics.LatencyHistogram histogram)
    {
        var (cumulative, sum) = histogram.Snapshot();
        Family(name, "histogram", help);
        var bounds = histogram.Bounds;
        for (int i = 0; i < bounds.Count; i++) Sample(name + "_bucket", cumulative[i], ("le", bounds[i].ToString("R", CultureInfo.InvariantCulture)));
        Sample(name + "_bucket", cumulative[^1], ("le", "+Inf"));
        Sample(name + "_sum", sum);
        return Sample(name + "_count", cumulative[^1]);
    }

    /// <summary>The text written so far, UTF-8.</summary>
    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <inheritdoc />
    public override string ToString() => _text.ToString();

    // The format escapes backslash, double quote and line feed in label values.
    private void AppendEscaped(string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': _text.Append(@"\\"); break;
                case '"': _text.Append("\\\""); break;
                case '\n': _text.Append(@"\n"); break;
                default: _text.Append(c); break;
            }
        }
    }
}

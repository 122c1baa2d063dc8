using System.Globalization;
using System.Text;
using Appliance.Bench.Scenarios;

namespace Appliance.Bench.Harness;

/// <summary>PNG charts of the latency percentiles and the throughput comparison, drawn by gnuplot into docs/benchmarks/.</summary>
public static class GnuplotCharts
{
    /// <summary>Draws latency.png: p50, p99 and p99.9 per condition, log scale.</summary>
    public static Task<string> LatencyAsync(string directory, IReadOnlyList<LatencyRow> rows, CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        foreach (var r in rows)
            data.AppendLine(CultureInfo.InvariantCulture, $"\"{r.Condition}\" {r.P50:F1} {r.P99:F1} {r.P999:F1}");
        return DrawAsync(directory, "latency.png", data.ToString(), """
            set title "Event to GPIO line write (microseconds, log scale)"
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid 0.8 border -1
            set logscale y
            set yrange [1:*]
            set ylabel "us"
            set key top left
            set xtics rotate by -15
            plot DATA using 2:xtic(1) title "p50", '' using 3 title "p99", '' using 4 title "p99.9"
            """, cancellationToken);
    }

    /// <summary>Draws event-latency.png: p50 and p99 of ordinary events per pipeline and rate, log scale.</summary>
    public static Task<string> EventLatencyAsync(string directory, IReadOnlyList<EventLatencyRow> rows, CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        foreach (var r in rows.Where(r => r.Kind == "ordinary"))
            data.AppendLine(CultureInfo.InvariantCulture, $"\"{r.Pipeline} {r.Rate}/s\" {r.P50:F2} {r.P99:F2}");
        return DrawAsync(directory, "event-latency.png", data.ToString().Replace("NaN", "0", StringComparison.Ordinal), """
            set title "QMP event timestamp to MQTT subscriber (ms, log scale)"
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid 0.8 border -1
            set logscale y
            set yrange [0.1:*]
            set ylabel "ms"
            set key top left
            set xtics rotate by -15
            plot DATA using 2:xtic(1) title "p50", '' using 3 title "p99"
            """, cancellationToken);
    }

    /// <summary>Draws throughput.png: events/s per pipeline.</summary>
    public static Task<string> ThroughputAsync(string directory, ThroughputReport report, CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        data.AppendLine(CultureInfo.InvariantCulture, $"\"appliance\" {report.Appliance.EventsPerSecond:F0}");
        data.AppendLine(CultureInfo.InvariantCulture, $"\"appliance journal only\" {report.JournalOnly.EventsPerSecond:F0}");
        data.AppendLine(CultureInfo.InvariantCulture, $"\"socat|mosquitto_pub\" {report.ShellBridge.EventsPerSecond:F0}");
        data.AppendLine(CultureInfo.InvariantCulture, $"\"mosquitto_pub -l\" {report.MosquittoCeiling.EventsPerSecond:F0}");
        data.AppendLine(CultureInfo.InvariantCulture, $"\"sqlite3 insert\" {report.SqliteCeiling.EventsPerSecond:F0}");
        return DrawAsync(directory, "throughput.png", data.ToString().Replace("NaN", "0", StringComparison.Ordinal), """
            set title "Delivered events per second (log scale)"
            set style data histograms
            set style fill solid 0.8 border -1
            set logscale y
            set yrange [100:*]
            set ylabel "events/s"
            set key off
            set xtics rotate by -15
            plot DATA using 2:xtic(1)
            """, cancellationToken);
    }

    private static async Task<string> DrawAsync(string directory, string file, string data, string plot, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        string dataFile = Path.GetTempFileName();
        string scriptFile = Path.GetTempFileName();
        string output = Path.Combine(directory, file);
        try
        {
            await File.WriteAllTextAsync(dataFile, data, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(scriptFile,
                $"set terminal pngcairo size 900,500 noenhanced\nset output '{output}'\nDATA = '{dataFile}'\n{plot}\n", cancellationToken).ConfigureAwait(false);
            await ChildProcess.RunAsync("gnuplot", [scriptFile], TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            return output;
        }
        finally
        {
            File.Delete(dataFile);
            File.Delete(scriptFile);
        }
    }
}

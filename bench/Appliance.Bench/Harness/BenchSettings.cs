namespace Appliance.Bench.Harness;

/// <summary>How big a run is: <see cref="Full"/> for the report, <see cref="Quick"/> under 3 minutes, <see cref="Smoke"/>
/// tiny sizes for the test that keeps the harness from rotting.</summary>
public sealed record BenchSettings(string Mode, int ThroughputEvents, int PeerEvents, int LatencySamples, int[] JournalRowCounts,
    int BytesPerEventEvents, int IdleVms, int LoadEvents, int StartupRepetitions, int EventLatencyEvents, TimeSpan EventLatencyMinimum)
{
    /// <summary>The report run (aims at under 20 minutes).</summary>
    public static BenchSettings Full { get; } = new("full", 500_000, 200_000, 20_000, [1_000_000, 10_000_000], 200_000, 2_000, 5_000_000, 10, 1_000, TimeSpan.FromSeconds(20));

    /// <summary>Under 3 minutes on a 2-core machine.</summary>
    public static BenchSettings Quick { get; } = new("quick", 100_000, 50_000, 3_000, [1_000_000], 50_000, 1_000, 1_000_000, 5, 200, TimeSpan.FromSeconds(5));

    /// <summary>Tiny sizes: checks the harness works, measures nothing worth reporting.</summary>
    public static BenchSettings Smoke { get; } = new("smoke", 2_000, 500, 50, [5_000], 1_000, 20, 10_000, 1, 20, TimeSpan.FromSeconds(3));

    /// <summary>Rates of the event-latency scenario, events per second.</summary>
    public static int[] EventLatencyRates { get; } = [10, 100, 1_000];

    /// <summary>The settings of a mode name: full, quick or smoke.</summary>
    public static BenchSettings For(string mode) => mode switch
    {
        "quick" => Quick,
        "smoke" => Smoke,
        _ => Full,
    };
}

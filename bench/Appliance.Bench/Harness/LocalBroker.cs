using System.Globalization;

namespace Appliance.Bench.Harness;

/// <summary>A real mosquitto on a free loopback port, in its own temp directory, with no per-client queue limit so a
/// subscriber that keeps up never loses QoS 1 messages to the broker's default cap of 1,000.</summary>
public sealed class LocalBroker : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;

    private LocalBroker(ChildProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>Its TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Starts mosquitto and waits until it accepts connections.</summary>
    public static async Task<LocalBroker> StartAsync(CancellationToken cancellationToken)
    {
        string dir = Directory.CreateTempSubdirectory("bench-mosquitto-").FullName;
        int port = FreeTcpPort.Next();
        string config = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 0
            max_inflight_messages 0
            log_dest none
            """), cancellationToken).ConfigureAwait(false);
        var process = ChildProcess.Start("mosquitto", ["-c", config], onLine: _ => { });
        var broker = new LocalBroker(process, dir, port);
        try
        {
            await FreeTcpPort.WaitListeningAsync(port, TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            broker.Dispose();
            throw;
        }
        return broker;
    }

    /// <summary>Stops the broker and removes its directory.</summary>
    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

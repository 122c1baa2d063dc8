using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Appliance.Bench.Mqtt;

/// <summary>A throw-away mosquitto on a free loopback port for the MQTT benchmarks (no queue or in-flight limits).</summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "apl-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _process;

    public BenchBroker()
    {
        Directory.CreateDirectory(_dir);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        File.WriteAllLines(ConfigFile,
        [
            "user root", "allow_anonymous true", "persistence false", "max_queued_messages 0", "max_inflight_messages 0",
            $"listener {Port} 127.0.0.1",
        ]);
    }

    public int Port { get; }

    private string ConfigFile => Path.Combine(_dir, "mosquitto.conf");

    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo(Tool("mosquitto"), ["-c", ConfigFile]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("mosquitto did not start");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>Starts <c>mosquitto_sub -q 1 -C count</c> on <paramref name="topic"/>; it exits after that many messages.</summary>
    public Process Subscribe(string topic, int count) =>
        Process.Start(new ProcessStartInfo(Tool("mosquitto_sub"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", topic,
             "-C", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-W", "120"])
        { RedirectStandardOutput = true }) ?? throw new InvalidOperationException("mosquitto_sub did not start");

    public static string Tool(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/usr/local/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} not found: apt-get install mosquitto mosquitto-clients");

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Integration.Support;

/// <summary>A real, independent MQTT subscriber: a <c>mosquitto_sub</c> process printing "topic payload" lines.</summary>
internal sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(string Topic, string Payload)> _messages = new();

    private MosquittoSubscriber(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            int tab = e.Data.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0) _messages.Enqueue((e.Data[..tab], e.Data[(tab + 1)..]));
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<(string Topic, string Payload)> Messages => [.. _messages];

    /// <summary>Subscribes to <paramref name="filter"/> with QoS 1 and waits until the subscription is in place.
    /// With a <paramref name="clientId"/> the session is persistent (it survives a broker restart); with a
    /// <paramref name="login"/> it logs in (the ACL must let it read and write <c>probe/ready</c>).</summary>
    public static async Task<MosquittoSubscriber> StartAsync(int port, string filter, (string User, string Password)? login = null, string? clientId = null)
    {
        string[] extra = [.. login is var (user, password) ? new[] { "-u", user, "-P", password } : [], .. clientId is null ? [] : new[] { "-c", "-i", clientId }];
        var start = new ProcessStartInfo(MosquittoBroker.Executable("mosquitto_sub"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args = ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q", "1", "-t", filter, "-t", "probe/ready", "-F", "%t\t%p", "-V", "mqttv5", .. extra];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var sub = new MosquittoSubscriber(Process.Start(start)!);
        // Publish probes until the subscriber sees one: then its subscription is certainly active.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!sub.Messages.Any(m => m.Topic == "probe/ready"))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("mosquitto_sub did not receive the probe message within 20 s");
            string[] auth = login is var (u, p) ? ["-u", u, "-P", p] : [];
            using var pub = Process.Start(MosquittoBroker.Executable("mosquitto_pub"), ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", "probe/ready", "-m", "x", .. auth]);
            await pub.WaitForExitAsync();
            await Task.Delay(100);
        }
        return sub;
    }

    /// <summary>Waits until a message satisfies <paramref name="match"/>.</summary>
    public async Task<(string Topic, string Payload)> WaitForAsync(Func<(string Topic, string Payload), bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var m in _messages)
            {
                if (match(m)) return m;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no matching MQTT message within {timeout}; received: {string.Join(" | ", _messages.Select(m => m.Topic))}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

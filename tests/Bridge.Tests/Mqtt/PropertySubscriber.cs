using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>An independent MQTT 5 subscriber (<c>mosquitto_sub -V mqttv5</c>) that records each message's topic, user
/// properties, message expiry and payload: what a consumer other than our own client sees.</summary>
internal sealed class PropertySubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<Message> _messages = new();

    /// <summary>One message as mosquitto_sub printed it.</summary>
    /// <param name="Topic">Its topic.</param>
    /// <param name="UserProperties">Its MQTT 5 user properties, name to value (empty when it has none).</param>
    /// <param name="MessageExpiry">Its message expiry interval left, if any.</param>
    /// <param name="Payload">Its payload as text.</param>
    public sealed record Message(string Topic, IReadOnlyDictionary<string, string> UserProperties, string MessageExpiry, string Payload);

    private PropertySubscriber(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Split('\t', 4) is not [var topic, var properties, var expiry, var payload]) return;
            var names = properties.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split(':', 2))
                .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
            _messages.Enqueue(new Message(topic, names, expiry, payload));
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<Message> Messages => [.. _messages];

    /// <summary>Subscribes to <paramref name="filter"/> at QoS 1 and returns once the subscription is in place (a
    /// retained marker published before it has arrived).</summary>
    public static async Task<PropertySubscriber> StartAsync(int port, string filter)
    {
        string ready = "ready/" + Guid.NewGuid().ToString("N")[..8];
        string p = port.ToString(CultureInfo.InvariantCulture);
        using (var marker = Process.Start(MosquittoBroker.Executable("mosquitto_pub"), ["-h", "127.0.0.1", "-p", p, "-t", ready, "-m", "1", "-r", "-q", "1"]))
        {
            await marker.WaitForExitAsync();
        }
        var start = new ProcessStartInfo(MosquittoBroker.Executable("mosquitto_sub"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-h", "127.0.0.1", "-p", p, "-V", "mqttv5", "-q", "1", "-t", filter, "-t", ready, "-F", "%t\t%P\t%E\t%p" })
        {
            start.ArgumentList.Add(a);
        }
        var subscriber = new PropertySubscriber(Process.Start(start)!);
        await subscriber.WaitForAsync(m => m.Topic == ready, "the subscription");
        return subscriber;
    }

    /// <summary>Waits until a message matches <paramref name="match"/> and returns it.</summary>
    public async Task<Message> WaitForAsync(Func<Message, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + MqttProbe.Patience;
        while (true)
        {
            if (_messages.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"mosquitto_sub saw no {what}; it saw: {string.Join(" | ", _messages.Select(m => m.Topic))}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Appliance.Bridge.Mqtt;
using Appliance.Bridge.Mqtt.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bridge.Tests.Mqtt;

/// <summary>A real MQTT subscriber (our own binding) that records what arrives, for assertions.</summary>
internal sealed class MqttProbe : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly MqttConnection _connection;
    private readonly ConcurrentQueue<MqttIncomingMessage> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly string[] _filters;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MqttProbe(int port, string clientId, MqttProtocolVersion protocol, bool persistent, string[] filters, (string User, string Password)? login = null)
    {
        _filters = filters;
        var broker = new MqttBrokerOptions { Host = "127.0.0.1", Port = port, Protocol = protocol, Username = login?.User ?? "" };
        _connection = new MqttConnection(new MqttConnectionSettings(broker, clientId, login?.Password) { PersistentSession = persistent },
            NullLogger.Instance);
        _connection.Connected += _ =>
        {
            foreach (var f in _filters) _connection.Subscribe(f, 1);
            // The SUBACK is not tracked; a retained probe message tells us the subscription is live.
            _connection.Publish($"probe/{clientId}/ready", "1"u8, retain: false);
        };
        _connection.MessageReceived += m =>
        {
            if (m.Topic == $"probe/{clientId}/ready") _subscribed.TrySetResult();
            else
            {
                _received.Enqueue(m);
                _arrived.Release();
            }
        };
        _filters = [.. filters, $"probe/{clientId}/ready"];
    }

    public IReadOnlyList<MqttIncomingMessage> Received => [.. _received];

    public MqttConnection Connection => _connection;

    /// <summary>Connects, subscribes and waits until the subscription is live.</summary>
    public static async Task<MqttProbe> StartAsync(int port, params string[] filters) =>
        await StartAsync(port, MqttProtocolVersion.V5, persistent: false, filters);

    public static Task<MqttProbe> StartAsync(int port, MqttProtocolVersion protocol, bool persistent, params string[] filters) =>
        StartAsync(port, protocol, persistent, login: null, filters);

    /// <summary>Connects as <paramref name="login"/> (anonymous when null); the readiness probe topic
    /// <c>probe/{client id}/ready</c> must be readable and writable for that user.</summary>
    public static async Task<MqttProbe> StartAsync(int port, MqttProtocolVersion protocol, bool persistent, (string User, string Password)? login,
        params string[] filters)
    {
        var probe = new MqttProbe(port, "probe-" + Guid.NewGuid().ToString("N")[..8], protocol, persistent, filters, login);
        probe._connection.Start();
        await probe._subscribed.Task.WaitAsync(Patience);
        return probe;
    }

    /// <summary>Waits until <paramref name="done"/> holds over everything received so far.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<MqttIncomingMessage>, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!done(Received))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"Timed out waiting for {what}; received {_received.Count} messages.");
            await _arrived.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The first message on <paramref name="topic"/>, waiting for it.</summary>
    public async Task<MqttIncomingMessage> NextOnAsync(string topic)
    {
        await WaitUntilAsync(r => r.Any(m => m.Topic == topic), $"a message on {topic}");
        return Received.First(m => m.Topic == topic);
    }

    public static JsonElement Json(MqttIncomingMessage message) => JsonDocument.Parse(message.Payload).RootElement.Clone();

    public static string Text(MqttIncomingMessage message) => Encoding.UTF8.GetString(message.Payload);

    public void Dispose()
    {
        _connection.Dispose();
        _arrived.Dispose();
    }
}

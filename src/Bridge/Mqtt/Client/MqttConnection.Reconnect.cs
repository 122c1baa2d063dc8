using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>The reconnect loop (MQTTnet 5 has no reconnecting client) and MQTTnet's connection events.</summary>
internal sealed partial class MqttConnection
{
    /// <summary>A connection that lasted this long was healthy: the back-off starts over after it ends.</summary>
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(10);

    private string? _lastFailure;

    /// <summary>Connects, waits for the connection to end, and connects again, until stopped. While the broker is
    /// unreachable (nothing listening, no route, no answer) it knocks every <see cref="MqttBrokerOptions.ReconnectDelay"/>,
    /// a SYN that costs nothing, so a broker that comes back is found within that delay. A broker that answers and
    /// refuses (CONNACK error, TLS failure) or drops a fresh connection is retried with a doubling back-off up to
    /// <see cref="MqttBrokerOptions.ReconnectDelayMax"/>.</summary>
    private async Task KeepConnectedAsync(CancellationToken cancellationToken)
    {
        var broker = _settings.Broker;
        var backoff = broker.ReconnectDelay;
        try
        {
            while (true)
            {
                TimeSpan wait;
                switch (await TryConnectAsync(cancellationToken).ConfigureAwait(false))
                {
                    case Attempt.Connected:
                        long since = _time.GetTimestamp();
                        await _lost.WaitAsync(cancellationToken).ConfigureAwait(false);
                        if (_time.GetElapsedTime(since) >= StableConnection) backoff = broker.ReconnectDelay;
                        wait = backoff;
                        backoff = Next(backoff);
                        break;
                    case Attempt.Unreachable:
                        wait = broker.ReconnectDelay;
                        break;
                    default:
                        wait = backoff;
                        backoff = Next(backoff);
                        break;
                }
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping (a connect cut short by the stop may end in any of MQTTnet's exceptions).
        }
    }

    private TimeSpan Next(TimeSpan backoff) =>
        TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Math.Max(_settings.Broker.ReconnectDelayMax.Ticks, _settings.Broker.ReconnectDelay.Ticks)));

    private enum Attempt
    {
        Connected,
        Unreachable,
        Refused,
    }

    private async Task<Attempt> TryConnectAsync(CancellationToken cancellationToken)
    {
        var broker = _settings.Broker;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            var (link, ack) = await MqttLink.ConnectAsync(_options!, _connect!, this, _pending, timeout.Token).ConfigureAwait(false);
            if (link is not null)
            {
                Up(link, ack.IsSessionPresent);
                return Attempt.Connected;
            }
            var (code, name) = IsV5 ? ((int)ack.ReasonCode, ack.ReasonCode.ToString()) : ((int)ack.ReturnCode, ack.ReturnCode.ToString());
            string reason = string.IsNullOrEmpty(ack.ReasonString) ? name : $"{name}: {ack.ReasonString}";
            // The same refusal again and again (a wrong password) is logged once, not on every back-off step.
            if (FirstTime(reason)) LogRefused(broker.Host, broker.Port, code, reason);
            Disconnected?.Invoke($"connection refused: {reason}");
            return Attempt.Refused;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            if (Find<AuthenticationException>(e) is { } tls)
            {
                if (FirstTime(tls.Message)) LogTlsFailed(broker.Host, broker.Port, tls.Message);
                Disconnected?.Invoke($"TLS handshake failed: {tls.Message}");
                return Attempt.Refused;
            }
            if (Find<SocketException>(e) is { } socket)
            {
                if (FirstTime(socket.SocketErrorCode.ToString())) LogConnectDeferred(broker.Host, broker.Port, socket.Message);
                return Attempt.Unreachable;
            }
            if (e is OperationCanceledException || Find<TimeoutException>(e) is not null)
            {
                if (FirstTime("timeout")) LogConnectDeferred(broker.Host, broker.Port, $"no CONNACK within {ConnectTimeout.TotalSeconds:0} s");
                return Attempt.Unreachable;
            }
            string reason = e.GetBaseException().Message;
            if (FirstTime(reason)) LogConnectFailed(broker.Host, broker.Port, reason);
            Disconnected?.Invoke($"connection failed: {reason}");
            return Attempt.Refused;
        }
    }

    private bool FirstTime(string failure) => Interlocked.Exchange(ref _lastFailure, failure) != failure;

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
        }
        return null;
    }

    /// <summary>The link is up: it starts reading, then the owner hears of it (its handler subscribes and publishes
    /// at once, so the link must be in place first).</summary>
    private void Up(MqttLink link, bool sessionPresent)
    {
        Interlocked.Exchange(ref _lastFailure, null);
        _link = link;
        link.Run();
        LogConnected(_settings.Broker.Host, _settings.Broker.Port, sessionPresent);
        try
        {
            Connected?.Invoke(sessionPresent);
        }
        catch (Exception e)
        {
            LogHandlerFailed("connect", e);
        }
    }

    /// <summary>The link ended by itself (not by a clean stop): the owner hears why, and the loop reconnects.</summary>
    internal void Lost(MqttLink link, string reason)
    {
        if (_link != link || _stopping) return;
        LogLost(reason);
        try
        {
            Disconnected?.Invoke(reason);
        }
        catch (Exception e)
        {
            LogHandlerFailed("disconnect", e);
        }
        _lost.Set();
    }
}

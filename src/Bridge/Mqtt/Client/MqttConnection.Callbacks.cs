using Appliance.Bridge.Interop.Mosquitto;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>libmosquitto's callbacks, on its network thread: state changes, PUBACKs, incoming messages.</summary>
internal sealed partial class MqttConnection
{
    void IMosquittoCallbacks.OnConnect(int reasonCode, int flags)
    {
        try
        {
            if (reasonCode == 0)
            {
                _connected = true;
                _lastConnectFailure = 0;
                _lastLibraryLog = null;
                LogConnected(_settings.Broker.Host, _settings.Broker.Port, (flags & 1) != 0);
                Connected?.Invoke((flags & 1) != 0);
                return;
            }
            _connected = false;
            string reason = IsV5 ? MosquittoLibrary.Reason(reasonCode) : MosquittoLibrary.Connack(reasonCode);
            // Same refusal again and again (wrong password) is logged once, not on every back-off step.
            if (Interlocked.Exchange(ref _lastConnectFailure, reasonCode) != reasonCode)
            {
                LogRefused(_settings.Broker.Host, _settings.Broker.Port, reasonCode, reason);
            }
            Disconnected?.Invoke($"connection refused: {reason}");
        }
        catch (Exception e)
        {
            LogCallbackFailed("connect", e);
        }
    }

    void IMosquittoCallbacks.OnDisconnect(int reasonCode)
    {
        try
        {
            // Our own DISCONNECT while replacing the client is not a lost connection.
            if (_replacing) return;
            bool was = _connected;
            _connected = false;
            string reason = reasonCode == 0 ? "disconnected" : MosquittoLibrary.Error(reasonCode);
            if (was) LogLost(reason);
            Disconnected?.Invoke(reason);
        }
        catch (Exception e)
        {
            LogCallbackFailed("disconnect", e);
        }
    }

    void IMosquittoCallbacks.OnPublish(int mid, int reasonCode)
    {
        try
        {
            Action<int>? acknowledged;
            lock (_acks)
            {
                if (_awaitingAck.Remove(mid, out acknowledged) is false) return;
            }
            acknowledged(reasonCode);
        }
        catch (Exception e)
        {
            LogCallbackFailed("publish", e);
        }
    }

    void IMosquittoCallbacks.OnLog(int level, string message)
    {
        try
        {
            // The same error on every reconnect attempt (a TLS handshake failing) is logged once.
            if (Interlocked.Exchange(ref _lastLibraryLog, message) != message) LogLibrary(message);
        }
        catch (Exception e)
        {
            LogCallbackFailed("log", e);
        }
    }

    void IMosquittoCallbacks.OnMessage(string topic, ReadOnlySpan<byte> payload, string? responseTopic, ReadOnlySpan<byte> correlationData, uint? messageExpiry)
    {
        try
        {
            MessageReceived?.Invoke(new MqttIncomingMessage(topic, payload.ToArray(), responseTopic, correlationData.ToArray(), messageExpiry));
        }
        catch (Exception e)
        {
            LogCallbackFailed("message", e);
        }
    }
}

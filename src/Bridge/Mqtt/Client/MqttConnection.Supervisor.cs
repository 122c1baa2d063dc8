using Appliance.Bridge.Interop.Mosquitto;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Starts the connection over when libmosquitto's own reconnecting has given up.</summary>
internal sealed partial class MqttConnection
{
    /// <summary>libmosquitto's thread reconnects by itself after ordinary errors, but ends for good after some
    /// (an MQTT 5 CONNACK refusal such as a wrong password, TLS failures). So when the connection stays down longer
    /// than the library's own longest back-off, start it over, with a doubling pause.</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        var firstPatience = _settings.Broker.ReconnectDelayMax + TimeSpan.FromSeconds(5);
        var patience = firstPatience;
        long downSince = _time.GetTimestamp();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                if (_connected)
                {
                    patience = firstPatience;
                    downSince = _time.GetTimestamp();
                    continue;
                }
                if (_time.GetElapsedTime(downSince) < patience) continue;
                Restart();
                downSince = _time.GetTimestamp();
                patience = TimeSpan.FromTicks(Math.Min(patience.Ticks * 2, TimeSpan.FromMinutes(10).Ticks));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposing.
        }
    }

    private void Restart()
    {
        lock (_gate)
        {
            if (_handle is not { } handle || _stop.IsCancellationRequested) return;
            LogRestarting(_settings.Broker.Host, _settings.Broker.Port);
            if (handle.IsClosed)
            {
                // Replacing the client failed half-way (DiscardQueuedMessages): make a new one.
                TryStartClient();
                return;
            }
            // DISCONNECT state makes a still-running loop end, so the join in loop_stop returns.
            MosquittoNative.DisconnectV5(handle, 0, 0);
            MosquittoNative.LoopStop(handle, false);
            try
            {
                Connect(handle);
            }
            catch (InvalidOperationException e)
            {
                LogCallbackFailed("restart", e);
            }
            MosquittoNative.LoopStart(handle);
        }
    }

    private void TryStartClient()
    {
        try
        {
            StartClient();
        }
        catch (InvalidOperationException e)
        {
            LogCallbackFailed("restart", e);
        }
    }
}

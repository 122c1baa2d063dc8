using Appliance.Bridge.Interop.Mosquitto;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Client options, TLS, last will and the CONNECT itself.</summary>
internal sealed partial class MqttConnection
{
    private unsafe void Configure(MosquittoHandle handle)
    {
        var broker = _settings.Broker;
        Check(MosquittoNative.IntOption(handle, OptProtocolVersion, (int)broker.Protocol), "protocol version");
        Check(MosquittoNative.MaxInflightMessagesSet(handle, (uint)Math.Max(1, _settings.MaxInflight)), "max inflight");
        Check(MosquittoNative.ReconnectDelaySet(handle, Seconds(broker.ReconnectDelay), Seconds(broker.ReconnectDelayMax), true), "reconnect delay");
        if (!string.IsNullOrEmpty(broker.Username) || _settings.Password is not null)
        {
            Check(MosquittoNative.UsernamePwSet(handle, broker.Username, _settings.Password), "username/password");
        }
        if (broker.Tls.Enabled) ConfigureTls(handle, broker.Tls);
        if (_settings.Will is var (topic, payload))
        {
            fixed (byte* p = payload)
            {
                Check(MosquittoNative.WillSetV5(handle, topic, payload.Length, p, 1, true, 0), "last will");
            }
        }
    }

    private static void ConfigureTls(MosquittoHandle handle, MqttTlsOptions tls)
    {
        foreach (var file in new[] { tls.CaFile, tls.CertFile, tls.KeyFile })
        {
            if (file is not null && !File.Exists(file)) throw new FileNotFoundException($"MQTT TLS file not found: {file}", file);
        }
        if ((tls.CertFile is null) != (tls.KeyFile is null))
        {
            throw new ArgumentException("MQTT TLS needs both a client certificate and its key, or neither.");
        }
        Check(MosquittoNative.TlsSet(handle, tls.CaFile, null, tls.CertFile, tls.KeyFile, 0), "TLS files");
        Check(MosquittoNative.TlsOptsSet(handle, 1, null, null), "TLS options");
        Check(MosquittoNative.TlsInsecureSet(handle, !tls.VerifyHostname), "TLS hostname verification");
    }

    private void Connect(MosquittoHandle handle)
    {
        var broker = _settings.Broker;
        nint props = 0;
        try
        {
            if (IsV5)
            {
                MosquittoNative.PropertyAddInt32(ref props, PropSessionExpiry,
                    _settings.PersistentSession ? Seconds(broker.SessionExpiry) : 0);
            }
            int keepAlive = (int)Math.Min(Seconds(broker.KeepAlive), ushort.MaxValue);
            int rc = MosquittoNative.ConnectBindV5(handle, broker.Host, broker.Port, Math.Max(5, keepAlive), null, props);
            // Only invalid arguments are configuration errors. A broker that is down, unknown for now, or failing
            // the TLS handshake is retried by the network thread or, failing that, by the supervisor.
            if (rc == ErrInvalid) Check(rc, $"connect to {broker.Host}:{broker.Port}");
            if (rc != 0) LogConnectDeferred(broker.Host, broker.Port, MosquittoLibrary.Error(rc));
        }
        finally
        {
            if (props != 0) MosquittoNative.PropertyFreeAll(ref props);
        }
    }

    private static uint Seconds(TimeSpan span) => (uint)Math.Clamp(span.TotalSeconds, 1, uint.MaxValue);

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new InvalidOperationException($"MQTT {what} failed: {MosquittoLibrary.Error(rc)} ({rc}).");
    }
}

using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;
using MqttnetProtocolVersion = MQTTnet.Formatter.MqttProtocolVersion;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Client options: protocol, session, credentials, last will and TLS.</summary>
internal sealed partial class MqttConnection
{
    /// <summary>How long one attempt may take from TCP connect to CONNACK.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private MqttClientOptions BuildOptions()
    {
        var broker = _settings.Broker;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId(_settings.ClientId)
            .WithProtocolVersion(IsV5 ? MqttnetProtocolVersion.V500 : MqttnetProtocolVersion.V311)
            .WithCleanSession(!_settings.PersistentSession)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(Math.Clamp(broker.KeepAlive.TotalSeconds, 5, ushort.MaxValue)))
            .WithTimeout(ConnectTimeout);
        if (IsV5 && _settings.PersistentSession) builder.WithSessionExpiryInterval(Seconds(broker.SessionExpiry));
        if (!string.IsNullOrEmpty(broker.Username) || _settings.Password is not null)
        {
            builder.WithCredentials(broker.Username, _settings.Password);
        }
        if (_settings.Will is var (topic, payload))
        {
            builder.WithWillTopic(topic).WithWillPayload(payload).WithWillRetain()
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }
        if (broker.Tls.Enabled) builder.WithTlsOptions(TlsOptions(broker));
        return builder.Build();
    }

    /// <summary>The broker's certificate must chain to the configured CA (and only to it) and, unless turned off,
    /// name the host we connect to. The client certificate, if any, is loaded from its PEM files here, so a bad file
    /// is an error at start, not a failing handshake later.</summary>
    private static MqttClientTlsOptions TlsOptions(MqttBrokerOptions broker)
    {
        var tls = broker.Tls;
        foreach (var file in new[] { tls.CaFile, tls.CertFile, tls.KeyFile })
        {
            if (file is not null && !File.Exists(file)) throw new FileNotFoundException($"MQTT TLS file not found: {file}", file);
        }
        if ((tls.CertFile is null) != (tls.KeyFile is null))
        {
            throw new ArgumentException("MQTT TLS needs both a client certificate and its key, or neither.");
        }
        var trust = new X509Certificate2Collection();
        try
        {
            trust.ImportFromPemFile(tls.CaFile!);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"MQTT TLS CA file {tls.CaFile} is not a PEM certificate: {e.Message}", e);
        }
        if (trust.Count == 0) throw new ArgumentException($"MQTT TLS CA file {tls.CaFile} holds no certificate.");
        var options = new MqttClientTlsOptions
        {
            UseTls = true,
            TargetHost = broker.Host,
            TrustChain = trust,
            // A private CA publishes no revocation list; an online check would only fail or stall.
            RevocationMode = X509RevocationMode.NoCheck,
            IgnoreCertificateRevocationErrors = true,
        };
        bool verifyHostname = tls.VerifyHostname;
        options.CertificateValidationHandler = e =>
        {
            var errors = e.SslPolicyErrors;
            if (!verifyHostname) errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
            return errors == SslPolicyErrors.None;
        };
        if (tls.CertFile is not null)
        {
            try
            {
                options.ClientCertificatesProvider = new DefaultMqttCertificatesProvider(
                    [X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)]);
            }
            catch (CryptographicException e)
            {
                throw new ArgumentException($"MQTT TLS client certificate {tls.CertFile} with key {tls.KeyFile} cannot be loaded: {e.Message}", e);
            }
        }
        return options;
    }

    private static uint Seconds(TimeSpan span) => (uint)Math.Clamp(span.TotalSeconds, 1, uint.MaxValue);
}

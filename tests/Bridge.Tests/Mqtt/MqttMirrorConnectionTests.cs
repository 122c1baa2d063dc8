using Appliance.Bridge.Mqtt;
using Appliance.TestSupport.Mosquitto;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class MqttMirrorConnectionTests
{
    [Fact]
    public async Task Wrong_password_is_logged_once_as_a_refusal_and_retried_with_back_off()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Credentials = ("appliance", "right") });
        using var passwordFile = new TestSupport.Files.TempDirectory();
        File.WriteAllText(passwordFile.File("pw"), "wrong\n");
        var options = MirrorHarness.OptionsFor(broker.Port, o =>
        {
            o.Broker.Username = "appliance";
            o.Broker.PasswordFile = passwordFile.File("pw");
        });

        await using var mirror = await MirrorHarness.StartAsync(options, waitForConnect: false);
        await mirror.WaitAsync(() => File.ReadAllText(broker.LogFile).Split("not authorised").Length > 2, "two refused attempts at the broker");

        var refusals = mirror.Log.Collector.GetSnapshot().Where(l => l.Message.Contains("refused the connection", StringComparison.Ordinal)).ToList();
        Assert.Single(refusals);
        Assert.Contains("authori", refusals[0].Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains("wrong", StringComparison.Ordinal));
        Assert.False(mirror.Mirror.IsConnected);
    }

    [Fact]
    public async Task After_a_refused_password_the_mirror_connects_once_the_broker_accepts_it()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Credentials = ("appliance", "right") });
        using var passwordFile = new TestSupport.Files.TempDirectory();
        File.WriteAllText(passwordFile.File("pw"), "changed\n");
        var options = MirrorHarness.OptionsFor(broker.Port, o =>
        {
            o.Broker.Username = "appliance";
            o.Broker.PasswordFile = passwordFile.File("pw");
        });
        await using var mirror = await MirrorHarness.StartAsync(options, waitForConnect: false);
        await mirror.WaitAsync(() => mirror.Log.Collector.GetSnapshot().Any(l => l.Message.Contains("refused", StringComparison.Ordinal)), "the refusal");

        // The operator changes the password on the broker side.
        using (var passwd = System.Diagnostics.Process.Start(MosquittoBroker.Executable("mosquitto_passwd"),
            ["-b", Path.Combine(broker.Directory.Path, "passwd"), "appliance", "changed"]))
        {
            await passwd.WaitForExitAsync();
        }
        await broker.StopAsync();
        await broker.RestartAsync();

        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the connection with the accepted password");
    }

    [Fact]
    public async Task Right_password_from_an_environment_variable_connects()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Credentials = ("appliance", "s3cret") });
        string variable = "APPLIANCE_TEST_MQTT_PW_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(variable, "s3cret");
        var options = MirrorHarness.OptionsFor(broker.Port, o =>
        {
            o.Broker.Username = "appliance";
            o.Broker.PasswordEnvironmentVariable = variable;
        });

        await using var mirror = await MirrorHarness.StartAsync(options, waitForConnect: false);

        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the authenticated connection");
        Assert.DoesNotContain(mirror.Log.Collector.GetSnapshot(), l => l.Message.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tls_with_a_test_ca_and_hostname_verification_delivers_events()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        using var probe = await MqttProbe.StartAsync(broker.Port, "appliance/box1/vm/+/event/+");
        var options = MirrorHarness.OptionsFor(broker.TlsPort, o =>
        {
            o.Broker.Host = "localhost";
            o.Broker.Tls.CaFile = broker.Certificates!.CaFile;
        });
        await using var mirror = await MirrorHarness.StartAsync(options, waitForConnect: false);
        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the TLS connection");

        mirror.Journal.Append("vm1", "RESET", """{"event": "RESET"}""");

        await probe.NextOnAsync("appliance/box1/vm/vm1/event/RESET");
    }

    [Fact]
    public async Task Tls_refuses_a_broker_whose_certificate_was_not_signed_by_the_configured_ca()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        using var otherCa = new TestSupport.Files.TempDirectory();
        var foreign = TestCertificates.Create(otherCa.Path);
        var options = MirrorHarness.OptionsFor(broker.TlsPort, o =>
        {
            o.Broker.Host = "localhost";
            o.Broker.Tls.CaFile = foreign.CaFile;
        });

        await using var mirror = await MirrorHarness.StartAsync(options, waitForConnect: false);
        await mirror.WaitAsync(() => mirror.Log.Collector.GetSnapshot().Any(l => l.Message.Contains("TLS", StringComparison.Ordinal) || l.Message.Contains("certificate verify failed", StringComparison.Ordinal)),
            "a TLS error in the log");

        Assert.False(mirror.Mirror.IsConnected);
    }

    [Fact]
    public async Task Tls_with_a_client_certificate_connects_to_a_broker_that_requires_one()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true, RequireClientCertificate = true });
        var certificates = broker.Certificates!;
        var options = MirrorHarness.OptionsFor(broker.TlsPort, o =>
        {
            o.Broker.Host = "localhost";
            o.Broker.Tls.CaFile = certificates.CaFile;
            o.Broker.Tls.CertFile = certificates.ClientCertFile;
            o.Broker.Tls.KeyFile = certificates.ClientKeyFile;
        });

        await using var mirror = await MirrorHarness.StartAsync(options, waitForConnect: false);

        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the connection with the client certificate");
    }

    [Fact]
    public async Task Tls_refuses_a_broker_whose_certificate_names_another_host()
    {
        await using var broker = await BrokerWithACertificateForAnotherHostAsync();

        await using var mirror = await MirrorHarness.StartAsync(LocalhostOverTls(broker, verifyHostname: true), waitForConnect: false);
        await mirror.WaitAsync(() => mirror.Log.Collector.GetSnapshot().Any(l => l.Message.Contains("TLS handshake", StringComparison.Ordinal)), "a TLS error in the log");

        Assert.False(mirror.Mirror.IsConnected);
    }

    [Fact]
    public async Task Tls_without_hostname_verification_accepts_a_certificate_for_another_host_signed_by_the_ca()
    {
        await using var broker = await BrokerWithACertificateForAnotherHostAsync();

        await using var mirror = await MirrorHarness.StartAsync(LocalhostOverTls(broker, verifyHostname: false), waitForConnect: false);

        await mirror.WaitAsync(() => mirror.Mirror.IsConnected, "the TLS connection without hostname verification");
    }

    /// <summary>A TLS broker whose certificate, signed by the test CA, names elsewhere.test, not localhost.</summary>
    private static Task<MosquittoBroker> BrokerWithACertificateForAnotherHostAsync() =>
        MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true, TlsServerNames = "DNS:elsewhere.test" });

    private static MqttMirrorOptions LocalhostOverTls(MosquittoBroker broker, bool verifyHostname) =>
        MirrorHarness.OptionsFor(broker.TlsPort, o =>
        {
            o.Broker.Host = "localhost";
            o.Broker.Tls.CaFile = broker.Certificates!.CaFile;
            o.Broker.Tls.VerifyHostname = verifyHostname;
        });

    [Fact]
    public void A_missing_tls_ca_file_is_a_clear_error_naming_the_file()
    {
        var options = MirrorHarness.OptionsFor(1883, o => o.Broker.Tls.CaFile = "/nonexistent/ca.crt");
        var error = Assert.Throws<ArgumentException>(() => options.Validate());

        Assert.Contains("/nonexistent/ca.crt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_topic_prefix_is_a_clear_configuration_error()
    {
        var options = MirrorHarness.OptionsFor(1883, o => o.TopicPrefix = "a/b");

        var error = Assert.Throws<ArgumentException>(() => options.Validate());

        Assert.Contains("TopicPrefix 'a/b'", error.Message, StringComparison.Ordinal);
    }
}

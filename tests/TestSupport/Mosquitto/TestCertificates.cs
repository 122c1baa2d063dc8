using System.Diagnostics;

namespace Appliance.TestSupport.Mosquitto;

/// <summary>A throw-away CA, a server certificate for <c>localhost</c>/127.0.0.1 (or the names given) and a client
/// certificate, all made with the openssl CLI.</summary>
public sealed record TestCertificates(string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    /// <summary>Creates the files in <paramref name="directory"/>; <paramref name="serverNames"/> is the server
    /// certificate's subjectAltName list.</summary>
    public static TestCertificates Create(string directory, string serverNames = "DNS:localhost,IP:127.0.0.1")
    {
        string P(string name) => Path.Combine(directory, name);
        File.WriteAllText(P("san.ext"), $"subjectAltName={serverNames}\n");
        Run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=appliance-test-ca",
            "-keyout", P("ca.key"), "-out", P("ca.crt"));
        Run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", P("server.key"), "-out", P("server.csr"));
        Run("x509", "-req", "-in", P("server.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial",
            "-days", "2", "-extfile", P("san.ext"), "-out", P("server.crt"));
        Run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=appliance-test-client", "-keyout", P("client.key"), "-out", P("client.csr"));
        Run("x509", "-req", "-in", P("client.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial", "-days", "2", "-out", P("client.crt"));
        return new TestCertificates(P("ca.crt"), P("server.crt"), P("server.key"), P("client.crt"), P("client.key"));
    }

    private static void Run(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("openssl did not start");
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {error}");
    }
}

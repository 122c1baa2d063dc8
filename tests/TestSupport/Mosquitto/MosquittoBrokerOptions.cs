namespace Appliance.TestSupport.Mosquitto;

/// <summary>What the test broker should require.</summary>
public sealed record MosquittoBrokerOptions
{
    /// <summary>When set, anonymous clients are refused and this user/password pair is the only one accepted.</summary>
    public (string User, string Password)? Credentials { get; init; }

    /// <summary>Also open a TLS listener with a server certificate signed by a CA made at test time.</summary>
    public bool Tls { get; init; }

    /// <summary>The TLS listener refuses clients without a certificate signed by the test CA.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>The server certificate's subjectAltName list (openssl syntax).</summary>
    public string TlsServerNames { get; init; } = "DNS:localhost,IP:127.0.0.1";

    /// <summary>Further user/password pairs accepted besides <see cref="Credentials"/> (which must be set too).</summary>
    public IReadOnlyList<(string User, string Password)> MoreUsers { get; init; } = [];

    /// <summary>Contents of a mosquitto <c>acl_file</c>, or null for none (every user may read and write everything).</summary>
    public string? Acl { get; init; }

    /// <summary>Largest message the broker accepts (bytes); 0 means mosquitto's default.</summary>
    public int MessageSizeLimit { get; init; }

    /// <summary>A bridge to another broker, or null for none.</summary>
    public MosquittoBridge? Bridge { get; init; }
}

using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Network;

namespace Appliance.TestSupport.Mosquitto;

/// <summary>A real mosquitto broker on a free loopback port with its own config, temp and persistence directory.
/// It can be stopped and restarted on the same port (an outage), and is killed on dispose.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();
    private Process? _process;

    private MosquittoBroker(MosquittoBrokerOptions options)
    {
        Options = options;
        Port = FreePort.Next();
        if (options.Tls)
        {
            TlsPort = FreePort.Next();
            Certificates = TestCertificates.Create(_dir.Path, options.TlsServerNames);
        }
        ConfigFile = _dir.File("mosquitto.conf");
        File.WriteAllText(ConfigFile, BuildConfig());
    }

    /// <summary>The options it was started with.</summary>
    public MosquittoBrokerOptions Options { get; }

    /// <summary>The plain listener's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The TLS listener's port, when <see cref="MosquittoBrokerOptions.Tls"/>.</summary>
    public int TlsPort { get; }

    /// <summary>The CA and server certificate, when <see cref="MosquittoBrokerOptions.Tls"/>.</summary>
    public TestCertificates? Certificates { get; }

    /// <summary>The generated configuration file.</summary>
    public string ConfigFile { get; }

    /// <summary>The broker's log file (for diagnosing a failing test).</summary>
    public string LogFile => _dir.File("mosquitto.log");

    /// <summary>A scratch directory the test may use.</summary>
    public TempDirectory Directory => _dir;

    /// <summary>Starts a broker and waits until it accepts connections.</summary>
    public static async Task<MosquittoBroker> StartAsync(MosquittoBrokerOptions? options = null)
    {
        var broker = new MosquittoBroker(options ?? new MosquittoBrokerOptions());
        try
        {
            await broker.RestartAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (again) on the same port, with the same persistence directory.</summary>
    public async Task RestartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("The broker is already running.");
        var info = new ProcessStartInfo(Executable("mosquitto"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ConfigFile);
        _process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync(Port);
    }

    /// <summary>Stops the broker gracefully (SIGTERM: it saves its persistence file), as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _dir.Dispose();
    }

    private string BuildConfig()
    {
        var c = new StringBuilder();
        c.AppendLine("per_listener_settings false");
        c.AppendLine("user root");
        c.AppendLine("persistence true");
        c.AppendLine($"persistence_location {_dir.Path}/");
        c.AppendLine("autosave_interval 1");
        c.AppendLine($"log_dest file {LogFile}");
        c.AppendLine("log_type all");
        c.AppendLine("max_queued_messages 0");
        c.AppendLine("max_inflight_messages 0");
        if (Options.MessageSizeLimit > 0) c.AppendLine($"message_size_limit {Options.MessageSizeLimit}");
        if (Options.Credentials is var (user, password))
        {
            string file = _dir.File("passwd");
            RunTool("mosquitto_passwd", "-b", "-c", file, user, password);
            foreach (var (more, morePassword) in Options.MoreUsers) RunTool("mosquitto_passwd", "-b", file, more, morePassword);
            c.AppendLine("allow_anonymous false");
            c.AppendLine($"password_file {file}");
        }
        else
        {
            c.AppendLine("allow_anonymous true");
        }
        if (Options.Acl is { } acl)
        {
            string file = _dir.File("acl");
            File.WriteAllText(file, acl);
            c.AppendLine($"acl_file {file}");
        }
        c.AppendLine($"listener {Port} 127.0.0.1");
        if (Certificates is { } certs)
        {
            c.AppendLine($"listener {TlsPort} 127.0.0.1");
            c.AppendLine($"cafile {certs.CaFile}");
            c.AppendLine($"certfile {certs.ServerCertFile}");
            c.AppendLine($"keyfile {certs.ServerKeyFile}");
            if (Options.RequireClientCertificate) c.AppendLine("require_certificate true");
        }
        // Bridges come last: a connection section ends the listener settings.
        if (Options.Bridge is { } bridge) c.Append(bridge.ToConfig());
        return c.ToString();
    }

    private static async Task WaitUntilListeningAsync(int port)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static void RunTool(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(Executable(tool)) { RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {error}");
    }

    /// <summary>Finds a mosquitto tool, or fails saying which packages to install.</summary>
    public static string Executable(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin"]))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"{name} not found: apt-get install mosquitto mosquitto-clients");
    }
}

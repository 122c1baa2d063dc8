using System.Security.Cryptography;
using System.Text;
using Appliance.TestSupport.Files;

namespace Appliance.Integration.Support;

/// <summary>tests/Integration/GoQmp: a Go program driving a QMP server through go-qemu, the QMP client library Debian
/// packages (golang-github-digitalocean-go-qemu-dev, Go sources under /usr/share/gocode). Built offline in GOPATH
/// mode against Debian's sources, once per hash of the program, the Go toolchain and go-qemu's sources, and cached
/// under out/go-qmp.</summary>
internal static class GoQmpClient
{
    /// <summary>Where Debian installs Go library sources (dh-golang's GOPATH).</summary>
    public const string DebianGoPath = "/usr/share/gocode";

    private const string Packages = "golang-go golang-github-digitalocean-go-qemu-dev";
    private static readonly string GoQemu = Path.Combine(DebianGoPath, "src/github.com/digitalocean/go-qemu");
    private static readonly string Source = RepoPaths.File("tests/Integration/GoQmp");
    private static readonly string Cache = RepoPaths.File("out/go-qmp");
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static string? _binary;

    /// <summary>Why the Go client cannot be built here, naming the packages to install, or null.</summary>
    public static string? Missing()
    {
        bool go = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "go")));
        return go && Directory.Exists(Path.Combine(GoQemu, "qmp/raw"))
            ? null
            : $"go and go-qemu are not installed: apt-get install {Packages} (scripts/ensure-deps.sh test installs them)";
    }

    /// <summary>Runs the client against <paramref name="network"/> (unix or tcp) <paramref name="address"/>; returns
    /// its transcript, or fails naming its exit code and error output.</summary>
    public static async Task<string> RunAsync(string network, string address, TimeSpan timeout)
    {
        string binary = await BuildAsync(timeout);
        var (exit, output, error) = await ToolRun.RunAsync(binary, [network, address], timeout);
        return exit == 0 ? output : throw new InvalidOperationException($"the go-qemu client failed against {network}:{address} ({exit}): {error}\ntranscript so far:\n{output}");
    }

    private static async Task<string> BuildAsync(TimeSpan timeout)
    {
        await Once.WaitAsync();
        try
        {
            if (_binary is not null) return _binary;
            string goVersion = (await ToolRun.RunAsync("go", ["version"], timeout)).Output.Trim();
            string binary = Path.Combine(Cache, $"goqmp-{Hash(goVersion)}");
            if (!File.Exists(binary))
            {
                Directory.CreateDirectory(Cache);
                string building = binary + ".tmp";
                // GOPATH mode against Debian's sources only: no module download, no network.
                var environment = new Dictionary<string, string>
                {
                    ["GO111MODULE"] = "off", ["GOPATH"] = DebianGoPath, ["GOCACHE"] = Path.Combine(Cache, "gocache"),
                    ["GOFLAGS"] = "", ["GOPROXY"] = "off", ["GOTOOLCHAIN"] = "local", ["CGO_ENABLED"] = "0",
                };
                var (exit, _, error) = await ToolRun.RunAsync("go", ["build", "-o", building, "."], timeout, Source, environment);
                if (exit != 0) throw new InvalidOperationException($"go build of tests/Integration/GoQmp failed ({exit}): {error}");
                File.Move(building, binary, overwrite: true);
                // One build kept: the cache holds the current program, not one per edit.
                foreach (string old in Directory.GetFiles(Cache, "goqmp-*").Where(f => f != binary)) File.Delete(old);
            }
            return _binary = binary;
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>The program's sources, the toolchain's version and go-qemu's qmp sources: what the binary is made of.</summary>
    private static string Hash(string goVersion)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(goVersion));
        var files = Directory.GetFiles(Source, "*.go")
            .Concat(Directory.GetFiles(Path.Combine(GoQemu, "qmp"), "*.go"))
            .Concat(Directory.GetFiles(Path.Combine(GoQemu, "qmp/raw"), "*.go"))
            .Order(StringComparer.Ordinal);
        foreach (string file in files) sha.AppendData(File.ReadAllBytes(file));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}

using System.Net.Sockets;
using System.Text.Json;
using Appliance.Bridge.Pipeline;
using Appliance.Host.Configuration;
using Appliance.Host.Control;
using Appliance.Host.Status;
using Appliance.TestSupport.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tests.Cli;

/// <summary>The verbs that talk to an appliance find the one scripts/demo.sh runs (its .state folder) from the
/// repository without environment variables, and say which socket they tried and why it failed.</summary>
public sealed class ApplianceLocatorTests : IDisposable
{
    private readonly TempDirectory _repo = new();

    public ApplianceLocatorTests()
    {
        Directory.CreateDirectory(_repo.File("scripts"));
        File.WriteAllText(_repo.File("scripts/demo.sh"), "#!/bin/sh\n");
        Directory.CreateDirectory(_repo.File(".state/run"));
        Directory.CreateDirectory(_repo.File("src/sub"));
        Directory.CreateDirectory(_repo.File("xdg"));
    }

    public void Dispose() => _repo.Dispose();

    /// <summary>No appliance variables, and a private XDG runtime folder so no other appliance on the machine is found.</summary>
    private Dictionary<string, string?> CleanEnvironment() => new()
    {
        ["APPLIANCE__RUNTIMEDIRECTORY"] = null,
        ["APPLIANCE__STATEDIRECTORY"] = null,
        ["RUNTIME_DIRECTORY"] = null,
        ["STATE_DIRECTORY"] = null,
        ["XDG_RUNTIME_DIR"] = _repo.File("xdg"),
        ["XDG_STATE_HOME"] = _repo.File("xdg"),
    };

    [Fact]
    public async Task Status_below_the_repository_finds_the_demo_socket_without_environment_variables()
    {
        var board = new VmStatusBoard();
        board.SetMonitorState("demo", MonitorState.Running);
        var status = new StatusDocument([new VmsStatusSection(board)], TimeProvider.System, new ApplianceOptions { Node = "demo-box" });
        using var server = new ControlSocketServer(new ApplianceOptions { RuntimeDirectory = _repo.File(".state/run") }, status, board, NoAlarmAcknowledger.Instance, NullLogger<ControlSocketServer>.Instance);
        await server.StartAsync(CancellationToken.None);
        try
        {
            var r = await CliProcess.RunAsync(["status", "--json"], CleanEnvironment(), _repo.File("src/sub"));
            Assert.Equal("", r.Stderr);
            Assert.Equal(0, r.ExitCode);
            using var doc = JsonDocument.Parse(r.Stdout);
            Assert.Equal("demo-box", doc.RootElement.GetProperty("node").GetString());
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Events_below_the_repository_read_the_demo_journal_without_options()
    {
        await EventsVerbTests.WriteSampleJournalAsync(_repo.File(".state/journal.db"));
        var r = await CliProcess.RunAsync(["events", "--json", "--type", "watchdog"], CleanEnvironment(), _repo.Path);
        Assert.Equal("", r.Stderr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("\"WATCHDOG\"", Assert.Single(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_socket_names_the_path_tried_and_says_none_is_there()
    {
        var r = await CliProcess.RunAsync(["status"], CleanEnvironment(), _repo.Path);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains(_repo.File("xdg/appliance/appliance.sock"), r.Stderr, StringComparison.Ordinal);
        Assert.Contains("no control socket", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot assign requested address", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_socket_file_says_nothing_listens_on_it()
    {
        string path = _repo.File("stale.sock");
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET removes the file it bound when the socket closes; a renamed one stays behind, like a crash leaves it.
            listener.Bind(new UnixDomainSocketEndPoint(path + ".bound"));
            File.Move(path + ".bound", path);
        }
        var r = await CliProcess.RunAsync(["status", "--socket", path], CleanEnvironment(), _repo.Path);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains(path, r.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing listens", r.Stderr, StringComparison.Ordinal);
    }
}

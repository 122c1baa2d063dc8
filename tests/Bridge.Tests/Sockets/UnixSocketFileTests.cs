using System.Net.Sockets;
using Appliance.Bridge.Sockets;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Sockets;

public sealed class UnixSocketFileTests
{
    [Fact]
    public void A_socket_nobody_listens_on_is_removed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("dead.sock");
        // A listener that went away without unlinking its file, as a killed process leaves it.
        using (var gone = Listen(path)) { }

        UnixSocketFile.RemoveStale(path, "Test socket");

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_socket_a_live_process_listens_on_is_refused_and_kept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("live.sock");
        using var live = Listen(path);

        var refused = Assert.Throws<IOException>(() => UnixSocketFile.RemoveStale(path, "Test socket"));

        Assert.Equal($"Test socket: another process is listening on {path}", refused.Message);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_file_with_content_at_the_path_is_refused_and_kept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("notes.txt");
        File.WriteAllText(path, "not a socket");

        var refused = Assert.Throws<IOException>(() => UnixSocketFile.RemoveStale(path, "Test socket"));

        Assert.Contains("is not a socket", refused.Message, StringComparison.Ordinal);
        Assert.Equal("not a socket", File.ReadAllText(path));
    }

    [Fact]
    public void A_directory_at_the_path_is_refused()
    {
        using var dir = new TempDirectory();

        var refused = Assert.Throws<IOException>(() => UnixSocketFile.RemoveStale(dir.Path, "Test socket"));

        Assert.Contains("is not a socket", refused.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(dir.Path));
    }

    [Fact]
    public void No_file_at_the_path_is_nothing_to_do()
    {
        using var dir = new TempDirectory();

        UnixSocketFile.RemoveStale(dir.File("none.sock"), "Test socket");

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }
}

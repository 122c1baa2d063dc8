using System.Net.Sockets;
using System.Text;
using Appliance.Host.Systemd;
using Appliance.TestSupport.Files;

namespace Appliance.Tests.Systemd;

public sealed class SdNotifierTests
{
    [Fact]
    public void Notification_arrives_as_one_datagram_on_the_notify_socket()
    {
        using var dir = new TempDirectory();
        string path = dir.File("notify");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        using var notifier = new SdNotifier(path);

        Assert.True(notifier.Notify("READY=1\nSTATUS=up"));

        var buffer = new byte[256];
        receiver.ReceiveTimeout = 10_000;
        int n = receiver.Receive(buffer);
        Assert.Equal("READY=1\nSTATUS=up", Encoding.UTF8.GetString(buffer, 0, n));
    }

    [Fact]
    public void Without_a_notify_socket_nothing_is_sent_and_nothing_fails()
    {
        using var notifier = new SdNotifier(null);
        Assert.False(notifier.IsActive);
        Assert.False(notifier.Notify("READY=1"));
    }

    [Fact]
    public void A_vanished_notify_socket_does_not_throw()
    {
        using var dir = new TempDirectory();
        using var notifier = new SdNotifier(dir.File("gone"));
        Assert.False(notifier.Notify("WATCHDOG=1"));
    }
}

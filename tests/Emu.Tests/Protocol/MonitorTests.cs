using Appliance.Qmp;
using Appliance.Qmp.Messages;
using System.Net;
using System.Net.Sockets;
using Appliance.Emu.Tests.Support;
using Appliance.TestSupport.Files;

namespace Appliance.Emu.Tests.Protocol;

public sealed class MonitorTests
{
    [Fact]
    public async Task Every_negotiated_monitor_receives_every_event()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var clients = new[] { await bed.ConnectAsync(), await bed.ConnectAsync(), await bed.ConnectAsync() };

        await clients[0].ReturnOfAsync("cont");
        await clients[1].ReturnOfAsync("stop");

        foreach (var c in clients) await c.ExpectEventsAsync("RESUME", "STOP");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_unix_socket_is_owner_only()
    {
        await using var bed = await EmulatorTestBed.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(bed.SocketPath));
    }

    [Fact]
    public async Task A_tcp_endpoint_on_loopback_serves_qmp()
    {
        using var dir = new TempDirectory();
        var options = new EmulatedVmOptions { Name = "tcp-vm" };
        options.QmpEndpoints.Add(QmpEndpoint.Parse("tcp:127.0.0.1:0"));
        await using var vm = new EmulatedVm(options);
        await vm.StartAsync(CancellationToken.None);

        await using var client = await QmpTestClient.ConnectAsync(vm.QmpEndPoints[0]);

        Assert.IsType<IPEndPoint>(vm.QmpEndPoints[0]);
        Assert.Equal("{\"name\":\"tcp-vm\"}", await client.ReturnOfAsync("query-name"));
    }

    [Fact]
    public async Task Quit_reports_the_shutdown_replies_and_closes_every_monitor()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var first = await bed.ConnectAsync();
        var second = await bed.ConnectAsync();

        await first.ReturnOfAsync("quit");

        foreach (var c in new[] { first, second })
        {
            var events = await c.ReadUntilClosedAsync();
            var shutdown = Assert.Single(events);
            Assert.Equal("SHUTDOWN", shutdown.Name);
            Assert.Contains("\"reason\": \"host-qmp-quit\"", shutdown.RawText, StringComparison.Ordinal);
        }
        await bed.Vm.Exited.WaitAsync(QmpTestClient.Timeout);
    }

    [Fact]
    public async Task Quit_reply_and_SHUTDOWN_are_written_before_the_vm_counts_as_exited()
    {
        // `appliance emu` ends the process (and with it every socket) as soon as Exited completes.
        await using var bed = await EmulatorTestBed.StartAsync();
        var client = await bed.ConnectAsync();

        await client.SendLineAsync("{\"execute\":\"quit\"}");
        await bed.Vm.Exited.WaitAsync(QmpTestClient.Timeout);
        await bed.Vm.DisposeAsync();

        Assert.IsType<QmpReturn>(await client.ReadResponseAsync());
        Assert.Equal("SHUTDOWN", Assert.Single(await client.ReadUntilClosedAsync()).Name);
    }

    [Fact]
    public async Task Connections_beyond_the_monitor_limit_are_closed_and_the_others_keep_working()
    {
        await using var bed = await EmulatorTestBed.StartAsync(o => o.MaxMonitors = 2);
        var first = await bed.ConnectAsync();
        await bed.ConnectAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => bed.ConnectAsync(negotiate: false));

        Assert.Equal("{\"name\":\"test-vm\"}", await first.ReturnOfAsync("query-name"));
    }

    [Fact]
    public async Task A_file_that_is_not_a_socket_at_the_qmp_path_is_refused_and_kept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("vm.conf");
        File.WriteAllText(path, "a typo in --qmp must not cost this file");
        var options = new EmulatedVmOptions { Name = "vm" };
        options.QmpEndpoints.Add(QmpEndpoint.Unix(path));
        await using var vm = new EmulatedVm(options);

        var e = await Assert.ThrowsAsync<IOException>(() => vm.StartAsync(CancellationToken.None));

        Assert.Contains("is not a socket", e.Message, StringComparison.Ordinal);
        Assert.Equal("a typo in --qmp must not cost this file", File.ReadAllText(path));
    }

    [Fact]
    public async Task A_live_unix_socket_is_not_taken_over_but_a_stale_one_is_replaced()
    {
        await using var bed = await EmulatorTestBed.StartAsync();
        var second = new EmulatedVmOptions { Name = "second" };
        second.QmpEndpoints.Add(QmpEndpoint.Unix(bed.SocketPath));
        await using var rival = new EmulatedVm(second);

        var e = await Assert.ThrowsAsync<IOException>(() => rival.StartAsync(CancellationToken.None));
        string stale = bed.Directory.File("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(stale));
        }
        var third = new EmulatedVmOptions { Name = "third" };
        third.QmpEndpoints.Add(QmpEndpoint.Unix(stale));
        await using var replacement = new EmulatedVm(third);
        await replacement.StartAsync(CancellationToken.None);

        Assert.Contains("in use by another server", e.Message, StringComparison.Ordinal);
        await using var client = await QmpTestClient.ConnectAsync(new UnixDomainSocketEndPoint(stale));
        Assert.Equal("{\"name\":\"third\"}", await client.ReturnOfAsync("query-name"));
    }
}

using System.Net;
using System.Net.Sockets;
using Appliance.Integration.Support;
using Appliance.TestSupport.Files;
using Appliance.TestSupport.Network;
using Appliance.TestSupport.Qemu;
using Appliance.TestSupport.Waiting;

namespace Appliance.Integration;

/// <summary>go-qemu, the QMP client library Debian packages (golang-github-digitalocean-go-qemu-dev), used by a Go
/// program (tests/Integration/GoQmp) against a real qemu-system-x86_64 and against <c>appliance emu</c>: negotiation,
/// typed replies, error texts, STOP/RESUME/RESET/SHUTDOWN through its event channel, and quit. go-qemu writes every
/// command without a trailing newline. Both transcripts must be equal line for line.</summary>
public sealed class GoQemuClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    [GoQemuFact]
    public async Task Go_qemu_over_a_unix_socket_gets_from_the_emulator_what_it_gets_from_QEMU()
    {
        string fromQemu;
        using (var qemu = QemuProcess.Start("-name", "vm"))
        {
            fromQemu = await GoQmpClient.RunAsync("unix", qemu.SocketPath, Wait);
            Assert.True(qemu.WaitForExit(TimeSpan.FromSeconds(30)), "QEMU exits after quit");
        }
        string fromEmu;
        using (var dir = new TempDirectory())
        {
            string socket = dir.File("vm.qmp");
            await using var emu = ApplianceProcess.Start(["emu", "--name", "vm", "--qmp", "unix:" + socket]);
            await Eventually.TrueAsync(() => File.Exists(socket), "the emulated VM's QMP socket", Wait);
            fromEmu = await GoQmpClient.RunAsync("unix", socket, Wait);
            await emu.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        AssertSameTranscript(fromQemu, fromEmu);
    }

    [GoQemuFact]
    public async Task Go_qemu_over_TCP_gets_from_the_emulator_what_it_gets_from_QEMU()
    {
        string fromQemu;
        int qemuPort = FreePort.Next();
        using (var qemu = QemuProcess.Start("-name", "vm", "-qmp", $"tcp:127.0.0.1:{qemuPort},server=on,wait=off"))
        {
            fromQemu = await GoQmpClient.RunAsync("tcp", $"127.0.0.1:{qemuPort}", Wait);
            Assert.True(qemu.WaitForExit(TimeSpan.FromSeconds(30)), "QEMU exits after quit");
        }
        int emuPort = FreePort.Next();
        await using (var emu = ApplianceProcess.Start(["emu", "--name", "vm", "--qmp", $"tcp:127.0.0.1:{emuPort}"]))
        {
            await Eventually.TrueAsync(() => Accepts(emuPort), "the emulated VM's QMP port", Wait);
            string fromEmu = await GoQmpClient.RunAsync("tcp", $"127.0.0.1:{emuPort}", Wait);
            await emu.WaitForExitAsync(TimeSpan.FromSeconds(30));
            AssertSameTranscript(fromQemu, fromEmu);
        }
    }

    private static void AssertSameTranscript(string fromQemu, string fromEmu)
    {
        string[] qemu = fromQemu.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] emu = fromEmu.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The script ran to its end against QEMU: every expected event came (the client exits 1 otherwise) and quit
        // closed the connection.
        Assert.Contains("after quit: events [], connection closed true", qemu);
        for (int i = 0; i < Math.Max(qemu.Length, emu.Length); i++)
        {
            string q = i < qemu.Length ? qemu[i] : "(nothing)";
            string e = i < emu.Length ? emu[i] : "(nothing)";
            Assert.True(q == e, $"line {i + 1}\nQEMU: {q}\nemu:  {e}\n\nQEMU's transcript:\n{fromQemu}\nthe emulator's:\n{fromEmu}");
        }
    }

    /// <summary>A throwaway connection: the emulator serves the next client once this one closes.</summary>
    private static bool Accepts(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using Appliance.Bridge.Client.DialIn;

namespace Appliance.Bridge.Tests.Client;

/// <summary>How a dialled-in VM is named from its QEMU command line when QEMU has no <c>-name</c> to report.</summary>
public sealed class PeerProcessTests
{
    [Theory]
    [InlineData("web", "qemu-system-x86_64", "-name", "web", "-m", "512")]
    [InlineData("db", "qemu-system-x86_64", "-name", "guest=db,debug-threads=on")]
    [InlineData("mail", "qemu-system-x86_64", "--name", "mail,process=qemu-mail")]
    [InlineData("a,b", "qemu-system-x86_64", "-name", "a,,b")]
    [InlineData("5a1f0c3e-0000-4000-8000-000000000001", "qemu-system-x86_64", "-uuid", "5a1f0c3e-0000-4000-8000-000000000001")]
    [InlineData("web", "qemu-system-x86_64", "-uuid", "5a1f0c3e-0000-4000-8000-000000000001", "-name", "web")]
    public void The_command_line_names_the_vm(string expected, params string[] args) =>
        Assert.Equal(expected, PeerProcess.VmIdentity(args));

    [Fact]
    public void A_command_line_without_name_or_uuid_names_nothing() =>
        Assert.Null(PeerProcess.VmIdentity(["qemu-system-x86_64", "-m", "512", "-name"]));

    [Theory]
    [InlineData("web 01/prod", "web_01_prod")]
    [InlineData("ok-name_1.2", "ok-name_1.2")]
    [InlineData("///", null)]
    public void Names_are_made_usable_in_topics_and_file_names(string given, string? expected) =>
        Assert.Equal(expected, DialInNaming.Sanitize(given));

    [Fact]
    public void A_name_is_cut_to_64_characters() => Assert.Equal(64, DialInNaming.Sanitize(new string('x', 300))!.Length);

    [Fact]
    public void Without_a_pid_the_peer_is_unknown() => Assert.Equal("peer-unknown", DialInNaming.FromPeer(null));

    [Fact]
    public void The_current_process_is_found_by_its_pid() =>
        Assert.NotEmpty(PeerProcess.CommandLine(Environment.ProcessId));
}

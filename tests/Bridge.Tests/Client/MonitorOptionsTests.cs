using Appliance.Bridge.Client;

namespace Appliance.Bridge.Tests.Client;

public sealed class MonitorOptionsTests
{
    private static MonitorOptions Valid() => new() { Vms = [new() { Name = "vm1", Endpoint = "unix:/run/qemu/vm1.qmp" }] };

    private static string Problem(Action<MonitorOptions> change)
    {
        var options = Valid();
        change(options);
        return Assert.Throws<ArgumentException>(options.Validate).Message;
    }

    [Fact]
    public void Valid_options_pass() => Valid().Validate();

    [Fact]
    public void Options_without_any_vm_are_rejected() =>
        Assert.Contains("configures no VM", Problem(o => o.Vms.Clear()));

    [Fact]
    public void Listening_for_dial_ins_is_enough_configuration() => Problemless(o =>
    {
        o.Vms.Clear();
        o.Listen.Add("unix:/run/appliance/qmp.sock");
    });

    [Fact]
    public void A_tcp_listen_endpoint_is_named() =>
        Assert.Contains("Monitors:Listen:0", Problem(o => o.Listen.Add("tcp:127.0.0.1:4444")));

    [Fact]
    public void A_dial_in_bound_below_one_is_named() =>
        Assert.Contains("Monitors:MaxDialIns", Problem(o => o.MaxDialIns = 0));

    private static void Problemless(Action<MonitorOptions> change)
    {
        var options = Valid();
        change(options);
        options.Validate();
    }

    [Fact]
    public void Duplicate_vm_names_are_named() =>
        Assert.Contains("Monitors:Vms:1:Name 'vm1' is used twice", Problem(o => o.Vms.Add(new() { Name = "vm1", Endpoint = "tcp:h:1" })));

    [Fact]
    public void An_entry_declared_elsewhere_is_named_by_its_own_key_when_its_name_is_taken() =>
        Assert.Contains("Emulator:Vms:3:Name 'vm1' is used twice",
            Problem(o => o.Vms.Add(VmMonitorOptions.DeclaredElsewhere("Emulator:Vms:3", "vm1", "unix:/run/appliance/emu/vm1.qmp"))));

    [Fact]
    public void An_entry_declared_elsewhere_leaves_its_name_to_that_section() =>
        Problemless(o => o.Vms.Add(VmMonitorOptions.DeclaredElsewhere("Emulator:Vms:0", "a/b", "unix:/run/appliance/emu/a.qmp")));

    [Fact]
    public void Vm_name_unfit_for_topics_is_rejected() =>
        Assert.Contains("Monitors:Vms:0:Name", Problem(o => o.Vms[0].Name = "a/b"));

    [Fact]
    public void Bad_endpoint_is_named_with_its_key() =>
        Assert.Contains("Monitors:Vms:0:Endpoint", Problem(o => o.Vms[0].Endpoint = "tcp:host"));

    [Fact]
    public void Non_positive_timeout_is_named() =>
        Assert.Contains("Monitors:StallTimeout", Problem(o => o.StallTimeout = TimeSpan.Zero));

    [Fact]
    public void Reconnect_max_below_min_is_rejected() =>
        Assert.Contains("Monitors:ReconnectMax", Problem(o => o.ReconnectMax = TimeSpan.FromMilliseconds(1)));

    [Fact]
    public void Glob_with_wildcards_in_the_directory_is_rejected() =>
        Assert.Contains("Monitors:Glob", Problem(o => o.Glob = "/run/*/vm.qmp"));

    [Fact]
    public void Relative_glob_is_rejected() =>
        Assert.Contains("absolute", Problem(o => o.Glob = "qemu/*.qmp"));

    [Fact]
    public void Glob_alone_is_enough() =>
        new MonitorOptions { Glob = "/run/qemu/*.qmp" }.Validate();

    [Fact]
    public void Tiny_line_limit_is_rejected() =>
        Assert.Contains("Monitors:MaxLineBytes", Problem(o => o.MaxLineBytes = 100));
}

using Appliance.Integration.Support;

namespace Appliance.Integration.Arm64;

/// <summary>The arm64 binary on Debian's arm64 kernel, against a real kernel GPIO chip: the PL061 of QEMU's virt
/// machine (chip label 9030000.pl061, 8 lines; board profile qemu-virt). Lines: 0 status, 1 alarm, 2 relay
/// (active-low in the run), 3 the power button QEMU pulses.</summary>
public sealed class Arm64VmGpioTests(Arm64VmSession session) : IClassFixture<Arm64VmSession>
{
    private const string Qemu = Arm64Vm.Binary;
    private const uint Status = 1 << 0, Alarm = 1 << 1, Relay = 1 << 2, Button = 1 << 3;

    [Arm64Fact(Qemu)]
    public void Guest_script_ran_to_its_end_on_the_arm64_kernel()
    {
        Assert.True(session.ExitLine == "0" && !session.Vm.Console.Contains("@@ TIMEOUT", StringComparison.Ordinal),
            $"the guest script ended with '{session.ExitLine}'; its console:\n{session.Vm.Console}");
        Assert.Contains($"@@ BOOTED {session.KernelAbi}-arm64 aarch64", session.Vm.Console, StringComparison.Ordinal);
    }

    [Arm64Fact(Qemu)]
    public void Gpio_list_shows_the_pl061_chip_with_eight_free_lines()
    {
        var (output, rc) = session.Vm.Section("gpio-list");

        Assert.Equal(0, rc);
        Assert.Contains("gpiochip0 [9030000.pl061] (8 lines)", output, StringComparison.Ordinal);
        Assert.Equal(8, output.Split('\n').Count(l => l.Contains("unused", StringComparison.Ordinal)));
    }

    [Arm64Fact(Qemu)]
    public void Gpio_set_drives_the_line_the_kernel_and_the_chip_see_and_names_the_appliance_as_holder()
    {
        var (list, _) = session.Vm.Section("held-list");
        var (kernel, _) = session.Vm.Section("held-kernel");
        var (data, direction) = session.Registers["alarm-held"];

        Assert.Matches(@"line +1: .*""appliance"" +used output", list);
        Assert.Matches(@"line 1 \( *\|appliance *\) out hi", kernel);
        Assert.Equal(Alarm, direction & Alarm);
        Assert.Equal(Alarm, data & Alarm);
    }

    [Arm64Fact(Qemu)]
    public void Second_holder_of_a_line_is_refused_naming_the_holder()
    {
        var (output, rc) = session.Vm.Section("second-holder");

        Assert.Equal(1, rc);
        Assert.Contains("GPIO 9030000.pl061:1 for 'alarm' is busy: held by consumer 'appliance'", output, StringComparison.Ordinal);
    }

    [Arm64Fact(Qemu)]
    public void Released_line_is_free_again()
    {
        var (output, _) = session.Vm.Section("released-list");

        Assert.DoesNotContain("\"appliance\"", output, StringComparison.Ordinal);
    }

    [Arm64Fact(Qemu)]
    public void Active_low_relay_that_is_on_drives_its_line_low()
    {
        var (kernel, _) = session.Vm.Section("relay-on-kernel");
        var (data, direction) = session.Registers["relay-on"];

        Assert.Matches(@"line 2 \( *\|appliance *\) out lo ACTIVE LOW", kernel);
        Assert.Equal(Relay, direction & Relay);
        Assert.Equal(0u, data & Relay);
    }

    [Arm64Fact(Qemu)]
    public void Guest_panic_latches_the_alarm_and_closes_the_active_low_relay()
    {
        var (events, _) = session.Vm.Section("panicked-events");
        var (kernel, _) = session.Vm.Section("panicked-kernel");
        var (data, direction) = session.Registers["panic-latched"];

        Assert.Matches(@"vm1 +GUEST_PANICKED +critical", events);
        Assert.Matches(@"line 2 \( *\|appliance *\) out lo ACTIVE LOW", kernel);
        Assert.Matches(@"line 3 \( *\|appliance *\) in ", kernel);
        Assert.Equal(Status | Alarm | Relay, direction & (Status | Alarm | Relay | Button));
        Assert.Equal(0u, data & Relay);
    }

    [Arm64Fact(Qemu)]
    public void Power_button_pulse_on_line_3_acknowledges_the_alarm_and_opens_the_relay()
    {
        var (acks, rc) = session.Vm.Section("acked-events");
        var (data, _) = session.Registers["acked"];

        Assert.Equal(0, rc);
        Assert.Contains("\"event\":\"APPLIANCE_ALARM_ACK\"", acks.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\"by\":\"button\"", acks.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(Relay, data & Relay);
        Assert.Equal(0u, data & Alarm);
    }

    [Arm64Fact(Qemu)]
    public void Run_stops_cleanly_and_releases_every_line()
    {
        var (log, rc) = session.Vm.Section("run-log");
        var (list, _) = session.Vm.Section("stopped-list");

        Assert.True(rc == 0, $"appliance run exited {rc}:\n{log}");
        Assert.DoesNotContain("\"appliance\"", list, StringComparison.Ordinal);
    }
}

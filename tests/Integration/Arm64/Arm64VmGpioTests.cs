using System.Text.RegularExpressions;
using Appliance.Integration.Support;

namespace Appliance.Integration.Arm64;

/// <summary>The arm64 binary on Debian's arm64 kernel, against a real kernel GPIO chip: the PL061 of QEMU's virt
/// machine (chip label 9030000.pl061, 8 lines). Lines: 0 status, 1 alarm, 2 relay (active-low in the run), 3 the
/// power button QEMU pulses. Each check runs with both drivers a board profile may name, in the one boot: the
/// project's chardev driver (board qemu-virt) and System.Device.Gpio's libgpiod driver (board qemu-virt-libgpiod,
/// Debian's libgpiod2). These are also the chardev driver's real-chip checks, which x86 cannot run (no GPIO chip, no
/// gpio-sim in its kernel).</summary>
public sealed partial class Arm64VmGpioTests(Arm64VmSession session) : IClassFixture<Arm64VmSession>
{
    private const string Qemu = Arm64Vm.Binary;
    private const uint Status = 1 << 0, Alarm = 1 << 1, Relay = 1 << 2, Button = 1 << 3;

    /// <summary>The drivers each check runs with: the board's default, and System.Device.Gpio's libgpiod one.</summary>
    public static TheoryData<string> Drivers => ["chardev", "libgpiod"];

    [Arm64Fact(Qemu)]
    public void Guest_script_ran_to_its_end_on_the_arm64_kernel()
    {
        Assert.True(session.ExitLine == "0" && !session.Vm.Console.Contains("@@ TIMEOUT", StringComparison.Ordinal),
            $"the guest script ended with '{session.ExitLine}'; its console:\n{session.Vm.Console}");
        Assert.Contains($"@@ BOOTED {session.KernelAbi}-arm64 aarch64", session.Vm.Console, StringComparison.Ordinal);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Gpio_list_shows_the_pl061_chip_with_every_line_free_in_order(string driver)
    {
        var (output, rc) = Section(driver, "gpio-list");

        Assert.Equal(0, rc);
        Assert.Contains("gpiochip0 [9030000.pl061] (8 lines)", output, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 8), ListedLines().Matches(output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(8, output.Split('\n').Count(l => l.Contains("unused", StringComparison.Ordinal)));
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Gpio_set_drives_the_line_the_kernel_and_the_chip_see_and_names_the_appliance_as_holder(string driver)
    {
        var (list, _) = Section(driver, "held-list");
        var (kernel, _) = Section(driver, "held-kernel");
        var (data, direction) = Registers(driver, "alarm-held");

        Assert.Matches(@"line +1: .*""appliance"" +used output", list);
        Assert.Matches(@"line 1 \( *\|appliance *\) out hi", kernel);
        Assert.Equal(Alarm, direction & Alarm);
        Assert.Equal(Alarm, data & Alarm);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Second_holder_of_an_output_line_is_refused_naming_the_holder(string driver)
    {
        var (output, rc) = Section(driver, "second-holder");

        Assert.Equal(1, rc);
        Assert.Contains("GPIO 9030000.pl061:1 for 'alarm' is busy: held by consumer 'appliance'", output, StringComparison.Ordinal);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Released_line_is_free_again(string driver)
    {
        var (output, _) = Section(driver, "released-list");

        Assert.DoesNotContain("\"appliance\"", output, StringComparison.Ordinal);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Active_low_relay_that_is_on_drives_its_line_low(string driver)
    {
        var (kernel, _) = Section(driver, "relay-on-kernel");
        var (data, direction) = Registers(driver, "relay-on");

        AssertRelayLow(driver, kernel);
        Assert.Equal(Relay, direction & Relay);
        Assert.Equal(0u, data & Relay);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Running_appliance_holds_the_button_as_an_input_and_a_second_request_is_refused_naming_it(string driver)
    {
        var (list, _) = Section(driver, "running-list");
        var (refused, rc) = Section(driver, "input-second-holder");

        Assert.Matches(@"line +3: .*""appliance"" +used *\n", list + "\n");
        Assert.Equal(1, rc);
        Assert.Contains("GPIO 9030000.pl061:3 for 'alarm' is busy: held by consumer 'appliance'", refused, StringComparison.Ordinal);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Guest_panic_latches_the_alarm_and_closes_the_active_low_relay(string driver)
    {
        var (events, _) = Section(driver, "panicked-events");
        var (kernel, _) = Section(driver, "panicked-kernel");
        var (data, direction) = Registers(driver, "panic-latched");

        Assert.Matches(@"vm1 +GUEST_PANICKED +critical", events);
        AssertRelayLow(driver, kernel);
        Assert.Matches(@"line 3 \( *\|appliance *\) in ", kernel);
        Assert.Equal(Status | Alarm | Relay, direction & (Status | Alarm | Relay | Button));
        Assert.Equal(0u, data & Relay);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Power_button_pulse_on_line_3_acknowledges_the_alarm_and_opens_the_relay(string driver)
    {
        var (acks, rc) = Section(driver, "acked-events");
        var (data, _) = Registers(driver, "acked");

        Assert.Equal(0, rc);
        Assert.Contains("\"event\":\"APPLIANCE_ALARM_ACK\"", acks.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\"by\":\"button\"", acks.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(Relay, data & Relay);
        Assert.Equal(0u, data & Alarm);
    }

    [Arm64Theory(Qemu)]
    [MemberData(nameof(Drivers))]
    public void Run_stops_cleanly_and_releases_every_line(string driver)
    {
        var (log, rc) = Section(driver, "run-log");
        var (list, _) = Section(driver, "stopped-list");

        Assert.True(rc == 0, $"appliance run exited {rc}:\n{log}");
        Assert.Contains($"Indicators started on board {Board(driver)}", log, StringComparison.Ordinal);
        Assert.DoesNotContain("\"appliance\"", list, StringComparison.Ordinal);
    }

    // The chardev driver asks the kernel for active-low; libgpiod 1.x's driver inverts in software, so the kernel
    // sees a plain output. Either way the line is physically low while the relay is on.
    private static void AssertRelayLow(string driver, string kernel)
    {
        if (driver == "chardev") Assert.Matches(@"line 2 \( *\|appliance *\) out lo ACTIVE LOW", kernel);
        else Assert.Matches(@"line 2 \( *\|appliance *\) out lo *(\n|$)", kernel);
    }

    private static string Board(string driver) => driver == "chardev" ? "qemu-virt" : "qemu-virt-" + driver;

    private static string Prefix(string driver) => driver == "chardev" ? "" : driver + "-";

    private (string Output, int ExitCode) Section(string driver, string name) => session.Vm.Section(Prefix(driver) + name);

    private (uint Data, uint Direction) Registers(string driver, string point) => session.Registers[Prefix(driver) + point];

    [GeneratedRegex(@"^ +line +(\d+):", RegexOptions.Multiline)]
    private static partial Regex ListedLines();
}

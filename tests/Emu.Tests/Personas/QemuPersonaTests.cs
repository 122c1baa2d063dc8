using Appliance.Emu.Personas;
using Appliance.Emu.Tests.Support;
using Appliance.Qmp.Events;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Personas;

/// <summary>Each persona's greeting and event shapes, checked against that release's schema facts.</summary>
public sealed class QemuPersonaTests
{
    public static TheoryData<string> Personas => [.. QemuPersona.All.Select(p => p.Name)];

    private static Task<EmulatorTestBed> StartAsync(string persona) => EmulatorTestBed.StartAsync(o =>
    {
        o.Persona = QemuPersona.Parse(persona);
        o.NoShutdown = true;
    });

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Greeting_and_query_version_name_the_release(string persona)
    {
        var facts = QapiEventFacts.For(persona);
        await using var bed = await StartAsync(persona);
        var client = await bed.ConnectAsync();

        Assert.Equal((facts.Major, facts.Minor), (client.Greeting.Version.Major, client.Greeting.Version.Minor));
        string version = await client.ReturnOfAsync("query-version");
        Assert.Contains($"\"major\":{facts.Major}", version.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"\"minor\":{facts.Minor}", version.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Block_io_error_has_the_members_of_the_release(string persona)
    {
        var facts = QapiEventFacts.For(persona);
        await using var bed = await StartAsync(persona);
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-disk-error", "{\"device\":\"drive1\",\"operation\":\"write\"}");

        var events = await client.DrainEventsAsync();
        facts.AssertShape(Assert.Single(events, e => e.Name == QmpEventNames.BlockIoError));
    }

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Reset_shutdown_and_rtc_change_have_the_members_of_the_release(string persona)
    {
        var facts = QapiEventFacts.For(persona);
        await using var bed = await StartAsync(persona);
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-set-rtc", "{\"offset\":30}");
        await client.ReturnOfAsync("system_reset");
        await client.ReturnOfAsync("x-guest-poweroff");

        var events = await client.DrainEventsAsync();
        foreach (string name in new[] { QmpEventNames.RtcChange, QmpEventNames.Reset, QmpEventNames.Shutdown })
        {
            facts.AssertShape(Assert.Single(events, e => e.Name == name));
        }
    }

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Mem_unplug_error_is_sent_only_by_releases_that_define_it(string persona)
    {
        var facts = QapiEventFacts.For(persona);

        var events = await RefusedDimmUnplugAsync(persona);

        Assert.Contains(events, e => e.Name == QmpEventNames.AcpiDeviceOst);
        AssertSentAsDefined(facts, events, QmpEventNames.MemUnplugError);
    }

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Device_unplug_guest_error_follows_a_refused_unplug_with_the_members_of_the_release(string persona)
    {
        var facts = QapiEventFacts.For(persona);

        var events = await RefusedDimmUnplugAsync(persona);

        AssertSentAsDefined(facts, events, QmpEventNames.DeviceUnplugGuestError);
        Assert.Equal(QmpEventNames.DeviceUnplugGuestError, events[^1].Name);
    }

    /// <summary>The events of a DIMM unplug that the guest (by default) refuses.</summary>
    private static async Task<List<QmpEvent>> RefusedDimmUnplugAsync(string persona)
    {
        await using var bed = await StartAsync(persona);
        var client = await bed.ConnectRunningAsync();
        await client.ReturnOfAsync("device_add", "{\"driver\":\"pc-dimm\",\"id\":\"dimm1\"}");
        await client.ReturnOfAsync("device_del", "{\"id\":\"dimm1\"}");
        bed.Advance(1);
        return await client.DrainEventsAsync();
    }

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Guest_pvshutdown_is_sent_only_by_releases_that_define_it(string persona)
    {
        var facts = QapiEventFacts.For(persona);
        await using var bed = await StartAsync(persona);
        var client = await bed.ConnectRunningAsync();

        await client.ReturnOfAsync("x-guest-pvpanic-shutdown");

        var events = await client.DrainEventsAsync();
        AssertSentAsDefined(facts, events, QmpEventNames.GuestPvshutdown);
        // Where pvpanic knows the shutdown bit the machine shuts down after the event; older pvpanic ignores it.
        Assert.Equal(facts.Exists(QmpEventNames.GuestPvshutdown), events.Any(e => e.Name == QmpEventNames.Shutdown));
    }

    [Fact]
    public void An_unknown_release_is_refused_naming_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => QemuPersona.Parse("6.0"));

        Assert.Contains("'6.0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("7.2, 8.2, 9.2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9.2", "9.2")]
    [InlineData("v8.2.0", "8.2")]
    [InlineData("7.2.22", "7.2")]
    public void A_release_is_found_by_its_usual_spellings(string text, string expected) =>
        Assert.Equal(expected, QemuPersona.Parse(text).Name);

    private static void AssertSentAsDefined(QapiEventFacts facts, List<QmpEvent> events, string name)
    {
        var sent = events.Where(e => e.Name == name).ToList();
        if (!facts.Exists(name))
        {
            Assert.True(sent.Count == 0, $"{name} was sent, but {facts.Source} does not define it");
            return;
        }
        facts.AssertShape(Assert.Single(sent));
    }
}

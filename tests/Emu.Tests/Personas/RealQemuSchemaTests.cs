using System.Net.Sockets;
using System.Text.Json;
using Appliance.Emu.Tests.Support;
using Appliance.TestSupport.Qemu;

namespace Appliance.Emu.Tests.Personas;

/// <summary>The persona test data checked against the installed QEMU itself: its <c>query-qmp-schema</c> must define
/// each event exactly as qapi-event-facts.json says for its release.</summary>
public sealed class RealQemuSchemaTests
{
    [Fact]
    public async Task The_schema_facts_of_the_installed_qemus_release_match_its_query_qmp_schema()
    {
        using var qemu = QemuProcess.Start();
        await using var client = await QmpTestClient.ConnectAsync(new UnixDomainSocketEndPoint(qemu.SocketPath));
        var version = client.Greeting.Version;
        var facts = QapiEventFacts.ForRelease(version.Major, version.Minor);
        Assert.True(facts is not null, $"installed QEMU {version.Major}.{version.Minor} has no persona facts to check; the personas cover 7.2, 8.2 and 9.2");

        using var schema = JsonDocument.Parse(await client.ReturnOfAsync("query-qmp-schema"));

        var entries = schema.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        var events = schema.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("meta-type").GetString() == "event")
            .ToDictionary(e => e.GetProperty("name").GetString()!);
        foreach (var (name, members) in facts.Events)
        {
            if (members is not { } expected)
            {
                Assert.False(events.ContainsKey(name), $"QEMU {version.Major}.{version.Minor} defines {name}; the facts say it does not");
                continue;
            }
            Assert.True(events.TryGetValue(name, out var definition), $"QEMU {version.Major}.{version.Minor} lacks {name}; the facts say it has it");
            string[] required = [], optional = [];
            if (definition.TryGetProperty("arg-type", out var argType) && entries.TryGetValue(argType.GetString()!, out var arguments))
            {
                var all = arguments.GetProperty("members").EnumerateArray().ToList();
                required = [.. all.Where(m => !m.TryGetProperty("default", out _)).Select(m => m.GetProperty("name").GetString()!)];
                optional = [.. all.Where(m => m.TryGetProperty("default", out _)).Select(m => m.GetProperty("name").GetString()!)];
            }
            Assert.Equal(expected.Required.Order(StringComparer.Ordinal), required.Order(StringComparer.Ordinal));
            Assert.Equal(expected.Optional.Order(StringComparer.Ordinal), optional.Order(StringComparer.Ordinal));
        }
    }
}

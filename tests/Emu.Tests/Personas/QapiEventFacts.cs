using System.Text.Json;
using Appliance.Qmp.Messages;

namespace Appliance.Emu.Tests.Personas;

/// <summary>The schema facts in qapi-event-facts.json for one release: which events exist and their data members.</summary>
internal sealed class QapiEventFacts
{
    private readonly Dictionary<string, (string[] Required, string[] Optional)?> _events = new(StringComparer.Ordinal);

    private QapiEventFacts(string source, int major, int minor)
    {
        Source = source;
        Major = major;
        Minor = minor;
    }

    public string Source { get; }
    public int Major { get; }
    public int Minor { get; }

    public static QapiEventFacts For(string persona)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Personas", "qapi-event-facts.json")));
        foreach (var release in doc.RootElement.GetProperty("releases").EnumerateArray())
        {
            if (release.GetProperty("persona").GetString() != persona) continue;
            var greeting = release.GetProperty("greeting");
            var facts = new QapiEventFacts(release.GetProperty("source").GetString()!, greeting[0].GetInt32(), greeting[1].GetInt32());
            foreach (var e in release.GetProperty("events").EnumerateObject())
            {
                facts._events[e.Name] = e.Value.ValueKind == JsonValueKind.Null
                    ? null
                    : (Names(e.Value.GetProperty("required")), Names(e.Value.GetProperty("optional")));
            }
            return facts;
        }
        throw new InvalidOperationException($"no schema facts for persona {persona}");
    }

    public bool Exists(string eventName) => _events[eventName] is not null;

    /// <summary>Every event the facts cover: its required and optional members, or null when the release lacks it.</summary>
    public IEnumerable<(string Name, (string[] Required, string[] Optional)? Members)> Events =>
        _events.Select(e => (e.Key, e.Value));

    /// <summary>The persona whose release is major.minor, if there is one.</summary>
    public static QapiEventFacts? ForRelease(int major, int minor)
    {
        try
        {
            return For($"{major}.{minor}");
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The event's data has every required member and no member the release does not define.</summary>
    public void AssertShape(QmpEvent e)
    {
        var members = _events[e.Name] ?? throw new Xunit.Sdk.XunitException($"{e.Name} does not exist in this release ({Source})");
        string[] keys = [];
        if (e.HasData)
        {
            using var data = JsonDocument.Parse(e.Data);
            keys = [.. data.RootElement.EnumerateObject().Select(p => p.Name)];
        }
        foreach (string required in members.Required)
        {
            Assert.True(keys.Contains(required), $"{e.Name} lacks '{required}', required by {Source}");
        }
        foreach (string key in keys)
        {
            Assert.True(members.Required.Contains(key) || members.Optional.Contains(key), $"{e.Name} carries '{key}', which {Source} does not define");
        }
    }

    private static string[] Names(JsonElement array) => [.. array.EnumerateArray().Select(x => x.GetString()!)];
}

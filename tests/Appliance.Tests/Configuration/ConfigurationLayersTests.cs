using Appliance.Host.Configuration;
using Appliance.TestSupport.Files;

namespace Appliance.Tests.Configuration;

public sealed class ConfigurationLayersTests
{
    private static readonly Dictionary<string, string?> NoOverrides = [];

    [Fact]
    public void Broken_json_names_the_file_and_the_line()
    {
        using var dir = new TempDirectory();
        string file = dir.File("bad.json");
        File.WriteAllText(file, "{\n  \"Node\": \"box\",\n  \"Mqtt\": { \"Broker\": \n}\n");
        var e = Assert.Throws<ConfigurationFileException>(() => ConfigurationLayers.Build(file, NoOverrides, systemFile: null));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_reports_one_position()
    {
        using var dir = new TempDirectory();
        string file = dir.File("bad.json");
        File.WriteAllText(file, "{\n  \"Node\": box\n}\n");
        var e = Assert.Throws<ConfigurationFileException>(() => ConfigurationLayers.Build(file, NoOverrides, systemFile: null));
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("near '\"Node\": box'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_cut_short_says_the_file_ends_too_soon()
    {
        using var dir = new TempDirectory();
        string file = dir.File("short.json");
        File.WriteAllText(file, "{ \"Node\": ");
        var e = Assert.Throws<ConfigurationFileException>(() => ConfigurationLayers.Build(file, NoOverrides, systemFile: null));
        Assert.Contains("ends before the JSON is complete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_config_file_is_an_error_naming_it()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => ConfigurationLayers.Build("/nonexistent/appliance.json", NoOverrides, systemFile: null));
        Assert.Contains("/nonexistent/appliance.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_level_that_is_not_an_object_is_rejected()
    {
        using var dir = new TempDirectory();
        string file = dir.File("array.json");
        File.WriteAllText(file, "[1, 2]");
        var e = Assert.Throws<ConfigurationFileException>(() => ConfigurationLayers.Build(file, NoOverrides, systemFile: null));
        Assert.Contains("JSON object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Later_layers_win_file_then_command_line()
    {
        using var dir = new TempDirectory();
        string system = dir.File("system.json"), given = dir.File("given.json");
        File.WriteAllText(system, """{ "Node": "system", "Journal": { "Path": "/system.db" }, "Mqtt": { "TopicPrefix": "sys" } }""");
        File.WriteAllText(given, """{ "Node": "given", "Journal": { "Path": "/given.db" } }""");
        var config = ConfigurationLayers.Build(given, new Dictionary<string, string?> { ["Journal:Path"] = "/cli.db" }, system);
        Assert.Equal("given", config["Node"]);
        Assert.Equal("/cli.db", config["Journal:Path"]);
        Assert.Equal("sys", config["Mqtt:TopicPrefix"]);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted_in_config_files()
    {
        using var dir = new TempDirectory();
        string file = dir.File("commented.json");
        File.WriteAllText(file, "{\n  // the box\n  \"Node\": \"box\",\n}\n");
        Assert.Equal("box", ConfigurationLayers.Build(file, NoOverrides, systemFile: null)["Node"]);
    }
}

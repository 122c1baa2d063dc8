using Appliance.Host.Hosting;
using Appliance.Host.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Configuration;

/// <summary>The one validation of a configuration, shared by <c>config check</c> and <c>run</c>: every key is known
/// (else the nearest valid spelling is named), every value converts to its option's type, and then every section's
/// own rules hold (ranges, board and pin names, files that must exist, emulated VM settings). All problems are
/// collected, one line each, so an operator fixes a file in one pass.</summary>
internal static class ConfigurationCheck
{
    /// <summary>Every problem of <paramref name="configuration"/>, one line each; empty when it is valid.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        var rejected = new List<string>();
        Walk(ConfigurationSchema.Root, configuration, "", configuration as IConfigurationRoot, problems, rejected);

        // The rules of each section see the configuration without the keys already reported, so one mistake is
        // reported once and the binder never meets a value it cannot convert.
        var clean = new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable()
            .Where(kv => !rejected.Any(r => kv.Key.Equals(r, StringComparison.OrdinalIgnoreCase)
                || kv.Key.StartsWith(r + ":", StringComparison.OrdinalIgnoreCase)))).Build();
        try
        {
            EffectiveOptions.Bind(clean).Dispose();
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures.Distinct(StringComparer.Ordinal));
        }
        problems.AddRange(EmulatorProblems(clean));
        problems.AddRange(clean.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>()?.Problems() ?? []);
        return problems;
    }

    /// <summary>Keys of <paramref name="configuration"/> that were removed (<see cref="ConfigurationSchema.Removed"/>), one
    /// line each naming the key and what replaces it; they do not stop the appliance.</summary>
    public static IReadOnlyList<string> Warnings(IConfiguration configuration) =>
        [.. ConfigurationSchema.Removed
            .Where(kv => configuration.GetSection(kv.Key).Exists())
            .Select(kv => $"{kv.Key}{Origin(configuration as IConfigurationRoot, kv.Key)}: {kv.Value}")];

    private static void Walk(SchemaNode node, IConfiguration section, string path, IConfigurationRoot? root, List<string> problems, List<string> rejected)
    {
        var children = section.GetChildren().ToList();
        string? value = (section as IConfigurationSection)?.Value;
        string given = (section as IConfigurationSection)?.Path ?? "";
        switch (node)
        {
            case ObjectNode obj when children.Count == 0 && !string.IsNullOrEmpty(value):
                Reject($"{path} = '{value}'{Origin(root, given)}: expected an object {{ ... }} of settings", path);
                return;
            case ObjectNode obj:
                foreach (var child in children)
                {
                    if (obj.Properties.TryGetValue(child.Key, out var property))
                    {
                        Walk(property.Node, child, Join(path, property.Name), root, problems, rejected);
                    }
                    else if (ConfigurationSchema.Removed.ContainsKey(Join(path, child.Key)))
                    {
                        // A warning (Warnings), not a problem; kept from the binder all the same.
                        rejected.Add(child.Path);
                    }
                    else if (ConfigurationSchema.Replaced.TryGetValue(Join(path, child.Key), out string? replacement))
                    {
                        Reject($"{Join(path, child.Key)}{Origin(root, child.Path)}: {replacement}", child.Path);
                    }
                    else
                    {
                        string suggestion = ConfigurationValues.Suggest(child.Key, obj.Properties.Values.Select(p => p.Name));
                        // Not a near-miss here: perhaps a key of another section, put at the wrong level.
                        if (suggestion.Length == 0) suggestion = ElsewhereSuggestion(child.Key);
                        Reject($"{Join(path, child.Key)}{Origin(root, child.Path)}: unknown key{suggestion}", child.Path);
                    }
                }
                return;
            case ListNode when children.Count == 0 && !string.IsNullOrEmpty(value):
                Reject($"{path} = '{value}'{Origin(root, given)}: expected a list [ ... ]", path);
                return;
            case ListNode list:
                foreach (var child in children)
                {
                    if (int.TryParse(child.Key, out int index) && index >= 0) Walk(list.Element, child, Join(path, child.Key), root, problems, rejected);
                    else Reject($"{Join(path, child.Key)}{Origin(root, child.Path)}: expected a list [ ... ], not an object with key '{child.Key}'", child.Path);
                }
                return;
            case LeafNode when children.Count > 0:
                Reject($"{path}{Origin(root, given)}: expected a single value, not an object or a list", path);
                return;
            case LeafNode leaf when value is not null && ConfigurationValues.Problem(leaf.Type, value) is { } problem:
                Reject($"{path} = '{value}'{Origin(root, given)}: {problem}", path);
                return;
        }

        void Reject(string problem, string key)
        {
            problems.Add(problem);
            rejected.Add(key);
        }
    }

    private static string ElsewhereSuggestion(string key)
    {
        var byName = ConfigurationSchema.AllPaths.GroupBy(p => p[(p.LastIndexOf(':') + 1)..], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        return ConfigurationValues.Nearest(key, byName.Keys) is { } name ? $" (did you mean '{byName[name]}'?)" : "";
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";

    /// <summary>Where a key came from when that is not obvious (an environment variable, the command line).</summary>
    private static string Origin(IConfigurationRoot? root, string path)
    {
        if (root is null) return "";
        foreach (var provider in root.Providers.Reverse())
        {
            bool has = provider.TryGet(path, out _) || provider.GetChildKeys([], path).Any();
            if (!has) continue;
            return provider switch
            {
                EnvironmentVariablesConfigurationProvider => $" (environment variable {ConfigurationLayers.EnvironmentPrefix}{path.Replace(":", "__", StringComparison.Ordinal)})",
                _ => "",
            };
        }
        return "";
    }

    /// <summary>The emulated VMs' settings, checked as the emulator will check them at start.</summary>
    private static IEnumerable<string> EmulatorProblems(IConfiguration configuration)
    {
        var vms = EmulatedVms.Plan(configuration);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < vms.Count; i++)
        {
            var vm = vms[i];
            string key = $"{EmulatorSection.SectionName}:Vms:{i}";
            if (!Bridge.Client.VmMonitorOptions.IsValidName(vm.Name)) yield return $"{key}:Name = '{vm.Name}': expected 1-64 letters, digits, '-', '_' or '.'";
            else if (!names.Add(vm.Name)) yield return $"{key}:Name = '{vm.Name}': used by two emulated VMs";
            string? problem = null;
            try
            {
                vm.ToOptions("/dev/null").Validate();
            }
            catch (ArgumentException e)
            {
                problem = e.Message;
            }
            if (problem is not null) yield return $"{key} ({vm.Name}): {problem}";
            if (vm.Scenario is { } scenario && !File.Exists(scenario)) yield return $"{key}:Scenario = '{scenario}': file not found";
        }
    }
}

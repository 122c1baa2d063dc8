using Appliance.Host.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Configuration;

/// <summary>The one validation of a configuration, shared by <c>config check</c> and <c>run</c>: every key is known
/// (else the nearest valid spelling is named), every value converts to its option's type, and then every section's
/// own rules hold (ranges, board and pin names, files that must exist, emulated VM settings), checked by the
/// validators the options registered with <c>ValidateOnStart</c>, each run once. All problems are collected, one line
/// each, so an operator fixes a file in one pass.</summary>
internal static class ConfigurationCheck
{
    /// <summary>Checks keys and value types, builds on the keys that passed (the host, or only the options), and runs
    /// every options validator once, before anything is created: the ones <c>ValidateOnStart</c> registered, which the
    /// host's own start then finds done (the validated values are cached). Throws <see cref="OptionsValidationException"/>
    /// listing every problem of both kinds; what was built is then disposed.</summary>
    public static T Validate<T>(IConfiguration configuration, Func<IConfiguration, T> build, Func<T, IServiceProvider> services)
        where T : IDisposable
    {
        var problems = new List<string>(KeyProblems(configuration, out var known));
        var built = build(known);
        try
        {
            services(built).GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures.Select(Rephrase));
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            // The validator throws one exception per failing section, aggregated when there are several.
            problems.AddRange(e.InnerExceptions.SelectMany(i => ((OptionsValidationException)i).Failures).Select(Rephrase));
        }
        if (problems.Count == 0) return built;
        built.Dispose();
        throw new OptionsValidationException("configuration", typeof(T), problems);
    }

    /// <summary>Unknown keys and values that do not convert to their option's type, one line each naming the key (and the
    /// environment variable it came from). <paramref name="known"/> is the configuration without them, so that the
    /// sections' rules report every other problem and the binder never meets a value it cannot convert.</summary>
    private static IReadOnlyList<string> KeyProblems(IConfiguration configuration, out IConfiguration known)
    {
        var problems = new List<string>();
        var rejected = new List<string>();
        Walk(ConfigurationSchema.Root, configuration, "", configuration as IConfigurationRoot, problems, rejected);
        known = rejected.Count == 0 ? configuration : new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable()
            .Where(kv => !rejected.Any(r => kv.Key.Equals(r, StringComparison.OrdinalIgnoreCase)
                || kv.Key.StartsWith(r + ":", StringComparison.OrdinalIgnoreCase)))).Build();
        return problems;
    }

    /// <summary>The data-annotation validator says "DataAnnotation validation failed for 'ApplianceOptions' members:
    /// 'Node' with the error: '...'."; an operator needs only the key and the error.</summary>
    private static string Rephrase(string failure)
    {
        const string Members = " members: '", WithError = "' with the error: '";
        int members = failure.IndexOf(Members, StringComparison.Ordinal), error = failure.IndexOf(WithError, StringComparison.Ordinal);
        if (!failure.StartsWith("DataAnnotation", StringComparison.Ordinal) || members < 0 || error < members) return failure;
        string key = failure[(members + Members.Length)..error];
        string message = failure[(error + WithError.Length)..].TrimEnd('.', '\'');
        return message.Contains(key, StringComparison.Ordinal) ? message : $"{key}: {message}";
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
}

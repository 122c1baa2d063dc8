using Microsoft.Extensions.Options;

namespace Appliance.Host.Configuration;

/// <summary>Runs a component's own checks (a list of problems naming the key) as an
/// <see cref="IValidateOptions{TOptions}"/>, so <c>ValidateOnStart</c> and <c>config check</c> report every one.</summary>
internal sealed class ComponentOptionsValidator<TOptions>(string section, Func<TOptions, IEnumerable<string>> problems) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = problems(options).Select(p => p.StartsWith(section + ":", StringComparison.Ordinal) ? p : $"{section}: {p}").ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Options;

namespace Appliance.Host.Configuration;

/// <summary>Runs a component's own checks (a list of problems naming the key) as an
/// <see cref="IValidateOptions{TOptions}"/>, so <c>ValidateOnStart</c> and <c>config check</c> report every one. A
/// problem that does not begin with a key of <paramref name="section"/> (or of one of <paramref name="declaringSections"/>,
/// which declared some of its entries) is prefixed with the section.</summary>
internal sealed class ComponentOptionsValidator<TOptions>(string section, Func<TOptions, IEnumerable<string>> problems, params string[] declaringSections)
    : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = problems(options).Select(p => NamesItsKey(p) ? p : $"{section}: {p}").ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private bool NamesItsKey(string problem) =>
        problem.StartsWith(section + ":", StringComparison.Ordinal) || declaringSections.Any(s => problem.StartsWith(s + ":", StringComparison.Ordinal));
}

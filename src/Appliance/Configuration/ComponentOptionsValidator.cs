using Microsoft.Extensions.Options;

namespace Appliance.Host.Configuration;

/// <summary>Runs a component's own validation (which throws an exception naming the key) as an
/// <see cref="IValidateOptions{TOptions}"/>, so <c>ValidateOnStart</c> reports it with the section name.</summary>
internal sealed class ComponentOptionsValidator<TOptions>(string section, Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Components throw their own exception types (ArgumentException, IndicatorConfigurationException, ...).
            return ValidateOptionsResult.Fail(e.Message.StartsWith(section + ":", StringComparison.Ordinal) ? e.Message : $"{section}: {e.Message}");
        }
    }
}

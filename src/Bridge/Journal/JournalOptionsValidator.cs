using Microsoft.Extensions.Options;

namespace Appliance.Bridge.Journal;

/// <summary>Validates <see cref="JournalOptions"/> at host start (register with <c>AddSingleton&lt;IValidateOptions&lt;JournalOptions&gt;, JournalOptionsValidator&gt;</c>).</summary>
public sealed class JournalOptionsValidator : IValidateOptions<JournalOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, JournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

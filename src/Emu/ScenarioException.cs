namespace Appliance.Emu;

/// <summary>A scenario file could not be used; the message names the file and what was wrong.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScenarioException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ScenarioException(string message, Exception inner) : base(message, inner) { }
}

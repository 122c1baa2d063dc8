namespace Appliance.Bridge.Indicators;

/// <summary>The indicator configuration or a board profile is wrong; the message names the key, the value and what is allowed.</summary>
public sealed class IndicatorConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IndicatorConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public IndicatorConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IndicatorConfigurationException()
    {
    }
}

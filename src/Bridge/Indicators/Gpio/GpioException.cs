namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>A GPIO line could not be requested or driven; the message names the pin and, when known, its holder.</summary>
public sealed class GpioException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GpioException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public GpioException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GpioException()
    {
    }

    internal static GpioException Busy(GpioLineSettings settings, string holder) =>
        new($"GPIO {settings.Pin} for '{settings.Owner}' is busy: held by consumer '{(holder.Length == 0 ? "(unnamed)" : holder)}'");
}

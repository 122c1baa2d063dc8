namespace Appliance.Bridge.Indicators.Gpio;

/// <summary>One line held from the kernel (or the simulation) in one mode. Values are logical: active-low is the
/// request's business. Disposing releases the line.</summary>
internal abstract class GpioLineRequest : IDisposable
{
    /// <summary>The logical value.</summary>
    public abstract bool Read();

    /// <summary>Sets the logical value (outputs only).</summary>
    public abstract void Write(bool active);

    /// <summary>Releases the line.</summary>
    public abstract void Dispose();
}

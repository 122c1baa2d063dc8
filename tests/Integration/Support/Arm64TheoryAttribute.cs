namespace Appliance.Integration.Support;

/// <summary>A theory that runs the linux-arm64 build: skipped as <see cref="Arm64FactAttribute"/> is.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Arm64TheoryAttribute : TheoryAttribute
{
    public Arm64TheoryAttribute(string emulator)
    {
        Skip = Arm64FactAttribute.SkipReason(emulator);
        Timeout = 0;
    }
}

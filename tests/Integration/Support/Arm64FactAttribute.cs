namespace Appliance.Integration.Support;

/// <summary>A fact that runs the linux-arm64 build: skipped, naming what to install, only where the cross compiler
/// or the given emulator is missing (scripts/test.sh installs them through scripts/ensure-deps.sh).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Arm64FactAttribute : FactAttribute
{
    public Arm64FactAttribute(string emulator)
    {
        Skip = SkipReason(emulator);
        Timeout = 0;
    }

    internal static string? SkipReason(string emulator) => Arm64Assets.MissingTool("clang", "aarch64-linux-gnu-readelf", emulator);
}

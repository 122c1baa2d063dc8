namespace Appliance.Integration.Support;

/// <summary>A fact that builds and runs the go-qemu client: skipped, naming the Debian packages to install, only where
/// Go or go-qemu is missing (scripts/test.sh installs them through scripts/ensure-deps.sh test).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GoQemuFactAttribute : FactAttribute
{
    public GoQemuFactAttribute()
    {
        if (GoQmpClient.Missing() is { } reason) Skip = reason;
    }
}

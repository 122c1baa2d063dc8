using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Mosquitto;

/// <summary>Owns one <c>struct mosquitto*</c>; releasing it calls <c>mosquitto_destroy</c>.</summary>
internal sealed class MosquittoHandle : SafeHandle
{
    public MosquittoHandle() : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        MosquittoNative.Destroy(handle);
        return true;
    }
}

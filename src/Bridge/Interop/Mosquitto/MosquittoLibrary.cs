using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Mosquitto;

/// <summary>Process-wide libmosquitto set-up and error texts.</summary>
internal static class MosquittoLibrary
{
    private static readonly Lazy<int> Initialized = new(InitializeOnce);

    /// <summary>Calls <c>mosquitto_lib_init</c> once; a missing library becomes an error that says what to install.</summary>
    internal static void EnsureInitialized() => _ = Initialized.Value;

    internal static string Error(int code) => Text(MosquittoNative.StrError(code)) ?? $"error {code}";

    internal static string Connack(int code) => Text(MosquittoNative.ConnackString(code)) ?? $"connack {code}";

    internal static string Reason(int code) => Text(MosquittoNative.ReasonString(code)) ?? $"reason {code}";

    private static string? Text(nint pointer) => pointer == 0 ? null : Marshal.PtrToStringUTF8(pointer);

    private static int InitializeOnce()
    {
        try
        {
            int rc = MosquittoNative.LibInit();
            if (rc != 0) throw new InvalidOperationException($"mosquitto_lib_init failed: {rc}");
            return rc;
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException(
                $"{MosquittoNative.Library} could not be loaded; install it with: apt-get install libmosquitto1", e);
        }
    }
}

using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Mosquitto;

/// <summary>The native callbacks libmosquitto calls on its network thread; each routes through the GCHandle passed
/// as the client's user data to the managed <see cref="IMosquittoCallbacks"/>.</summary>
internal static unsafe class MosquittoCallbacks
{
    private const int MessageExpiry = 2;
    private const int ResponseTopic = 8;
    private const int CorrelationData = 9;

    internal static void Register(MosquittoHandle handle)
    {
        MosquittoNative.ConnectV5CallbackSet(handle, &OnConnect);
        MosquittoNative.DisconnectV5CallbackSet(handle, &OnDisconnect);
        MosquittoNative.PublishV5CallbackSet(handle, &OnPublish);
        MosquittoNative.MessageV5CallbackSet(handle, &OnMessage);
        MosquittoNative.LogCallbackSet(handle, &OnLog);
    }

    [UnmanagedCallersOnly]
    private static void OnConnect(nint mosq, nint userData, int reasonCode, int flags, nint properties) =>
        Target(userData)?.OnConnect(reasonCode, flags);

    [UnmanagedCallersOnly]
    private static void OnDisconnect(nint mosq, nint userData, int reasonCode, nint properties) =>
        Target(userData)?.OnDisconnect(reasonCode);

    [UnmanagedCallersOnly]
    private static void OnPublish(nint mosq, nint userData, int mid, int reasonCode, nint properties) =>
        Target(userData)?.OnPublish(mid, reasonCode);

    [UnmanagedCallersOnly]
    private static void OnLog(nint mosq, nint userData, int level, nint text)
    {
        // Only warnings and errors: the rest (every PUBLISH and PUBACK) would cost more than it tells.
        if ((level & 0x0C) == 0) return;
        Target(userData)?.OnLog(level, Marshal.PtrToStringUTF8(text) ?? "");
    }

    [UnmanagedCallersOnly]
    private static void OnMessage(nint mosq, nint userData, MosquittoMessage* message, nint properties)
    {
        var target = Target(userData);
        if (target is null || message is null) return;
        string topic = Marshal.PtrToStringUTF8(message->Topic) ?? "";
        var payload = new ReadOnlySpan<byte>((void*)message->Payload, Math.Max(0, message->PayloadLength));
        string? responseTopic = null;
        uint? expiry = null;
        nint correlation = 0;
        ushort correlationLength = 0;
        try
        {
            if (properties != 0)
            {
                if (MosquittoNative.PropertyReadString(properties, ResponseTopic, out nint topicPtr, false) != 0)
                {
                    responseTopic = Marshal.PtrToStringUTF8(topicPtr);
                    LibC.Free(topicPtr);
                }
                if (MosquittoNative.PropertyReadInt32(properties, MessageExpiry, out uint seconds, false) != 0) expiry = seconds;
                if (MosquittoNative.PropertyReadBinary(properties, CorrelationData, out correlation, out correlationLength, false) == 0)
                {
                    correlation = 0;
                }
            }
            target.OnMessage(topic, payload, responseTopic, new ReadOnlySpan<byte>((void*)correlation, correlation == 0 ? 0 : correlationLength), expiry);
        }
        finally
        {
            if (correlation != 0) LibC.Free(correlation);
        }
    }

    private static IMosquittoCallbacks? Target(nint userData)
    {
        if (userData == 0) return null;
        return GCHandle.FromIntPtr(userData).Target as IMosquittoCallbacks;
    }
}

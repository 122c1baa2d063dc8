using System.Runtime.InteropServices;

namespace Appliance.Bridge.Interop.Mosquitto;

/// <summary>Layout of <c>struct mosquitto_message</c> (mosquitto.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MosquittoMessage
{
    public int Mid;
    public nint Topic;
    public nint Payload;
    public int PayloadLength;
    public int Qos;
    public byte Retain;
}

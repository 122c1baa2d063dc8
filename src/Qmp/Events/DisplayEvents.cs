using System.Text.Json.Serialization;

namespace Appliance.Qmp.Events;

/// <summary>VNC server information (VncServerInfo): <c>service</c> is the port as a string.</summary>
public sealed record VncServerInfo(string Host, string Service, string Family, bool? Websocket = null, string? Auth = null);

/// <summary>VNC client information (VncClientInfo), with the TLS and SASL identity once known.</summary>
public sealed record VncClientInfo(
    string Host,
    string Service,
    string Family,
    bool? Websocket = null,
    [property: JsonPropertyName("x509_dname")] string? X509Dname = null,
    [property: JsonPropertyName("sasl_username")] string? SaslUsername = null);

/// <summary>VNC_CONNECTED: a VNC client connected (before authentication).</summary>
public sealed record VncConnectedEvent(VncServerInfo Server, VncClientInfo Client) : QmpEventData;

/// <summary>VNC_INITIALIZED: a VNC session became active after authentication.</summary>
public sealed record VncInitializedEvent(VncServerInfo Server, VncClientInfo Client) : QmpEventData;

/// <summary>VNC_DISCONNECTED: a VNC connection closed.</summary>
public sealed record VncDisconnectedEvent(VncServerInfo Server, VncClientInfo Client) : QmpEventData;

/// <summary>SPICE server or client address (SpiceBasicInfo): <c>port</c> as a string.</summary>
public sealed record SpiceBasicInfo(string Host, string Port, string Family);

/// <summary>SPICE server information (SpiceServerInfo).</summary>
public sealed record SpiceServerInfo(string Host, string Port, string Family, string? Auth = null);

/// <summary>SPICE channel information (SpiceChannel).</summary>
public sealed record SpiceChannelInfo(string Host, string Port, string Family, long ConnectionId, long ChannelType, long ChannelId, bool Tls);

/// <summary>SPICE_CONNECTED: a SPICE client connected.</summary>
public sealed record SpiceConnectedEvent(SpiceBasicInfo Server, SpiceBasicInfo Client) : QmpEventData;

/// <summary>SPICE_INITIALIZED: a SPICE channel is up after handshake and authentication.</summary>
public sealed record SpiceInitializedEvent(SpiceServerInfo Server, SpiceChannelInfo Client) : QmpEventData;

/// <summary>SPICE_DISCONNECTED: a SPICE client disconnected.</summary>
public sealed record SpiceDisconnectedEvent(SpiceBasicInfo Server, SpiceBasicInfo Client) : QmpEventData;

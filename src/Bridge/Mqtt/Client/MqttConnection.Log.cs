using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Log messages of the MQTT connection (never with the password).</summary>
internal sealed partial class MqttConnection
{
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port} (session present: {SessionPresent})")]
    private partial void LogConnected(string host, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the connection: {Reason} ({Code}); retrying with back-off")]
    private partial void LogRefused(string host, int port, int code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection lost: {Reason}; reconnecting")]
    private partial void LogLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} not reachable yet ({Reason}); retrying in the background")]
    private partial void LogConnectDeferred(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection to {Host}:{Port} still down; starting it over")]
    private partial void LogRestarting(string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: discarding the messages libmosquitto still holds for {Host}:{Port} and connecting afresh")]
    private partial void LogDiscarding(string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "libmosquitto: {Message}")]
    private partial void LogLibrary(string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT {Callback} handler failed")]
    private partial void LogCallbackFailed(string callback, Exception exception);
}

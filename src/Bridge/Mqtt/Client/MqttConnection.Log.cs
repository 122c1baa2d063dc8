using Microsoft.Extensions.Logging;

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Log messages of the MQTT connection (never with the password).</summary>
internal sealed partial class MqttConnection
{
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port} (session present: {SessionPresent})")]
    private partial void LogConnected(string host, int port, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT broker {Host}:{Port} refused the connection: {Reason} ({Code}); retrying with back-off")]
    private partial void LogRefused(string host, int port, int code, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT TLS handshake with {Host}:{Port} failed: {Reason}; retrying with back-off")]
    private partial void LogTlsFailed(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT connection to {Host}:{Port} failed: {Reason}; retrying with back-off")]
    private partial void LogConnectFailed(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection lost: {Reason}; reconnecting")]
    private partial void LogLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker {Host}:{Port} not reachable yet ({Reason}); retrying in the background")]
    private partial void LogConnectDeferred(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT broker refused the subscription to {Filter}: {Reason}")]
    private partial void LogSubscribeRefused(string filter, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection did not stop in time")]
    private partial void LogStopSlow();

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT {Handler} handler failed")]
    private partial void LogHandlerFailed(string handler, Exception exception);
}

namespace Appliance.Bridge.Mqtt.Client;

/// <summary>Reads the broker password from a file or an environment variable. The value is never logged.</summary>
internal static class MqttPassword
{
    public static string? Resolve(MqttBrokerOptions broker)
    {
        if (!string.IsNullOrEmpty(broker.PasswordFile))
        {
            if (!File.Exists(broker.PasswordFile)) throw new FileNotFoundException($"MQTT password file not found: {broker.PasswordFile}", broker.PasswordFile);
            using var reader = new StreamReader(broker.PasswordFile);
            return reader.ReadLine()?.TrimEnd('\r') ?? "";
        }
        if (!string.IsNullOrEmpty(broker.PasswordEnvironmentVariable))
        {
            return Environment.GetEnvironmentVariable(broker.PasswordEnvironmentVariable)
                ?? throw new InvalidOperationException($"MQTT password variable {broker.PasswordEnvironmentVariable} is not set.");
        }
        return null;
    }
}

using Appliance.Bench;

// scripts/bench.sh [--quick] [--scenario NAME]: see docs/benchmarks.md.
if (args.Length > 0 && args[0] == Appliance.Bench.Mqtt.MqttThroughputBench.ChildArgument)
{
    return await Appliance.Bench.Mqtt.MqttThroughputBench.RunChildAsync(args).ConfigureAwait(false);
}
BenchCommandLine commandLine;
try
{
    commandLine = BenchCommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
string command = Environment.GetEnvironmentVariable("BENCH_COMMAND")
    ?? "dotnet run -c Release --project bench/Appliance.Bench -- " + string.Join(' ', args);
return await new BenchRunner(commandLine, command).RunAsync(cancel.Token).ConfigureAwait(false);

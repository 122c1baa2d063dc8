using Appliance.Qmp;
using System.Diagnostics;
using Appliance.Emu;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Bench.Emu;

/// <summary>How much one idle emulated VM (one unix QMP socket, no client) costs in a process.</summary>
/// <param name="VmCount">VMs started.</param>
/// <param name="ManagedBytesPerVm">Managed heap growth per VM after a full collection.</param>
/// <param name="WorkingSetBytesPerVm">Process working-set growth per VM (managed, native and socket state).</param>
/// <param name="ThreadsBefore">Process threads before starting the VMs.</param>
/// <param name="ThreadsAfter">Process threads with all VMs idle.</param>
/// <param name="StartDuration">Time to start all VMs.</param>
public sealed record IdleVmResult(int VmCount, long ManagedBytesPerVm, long WorkingSetBytesPerVm, int ThreadsBefore, int ThreadsAfter, TimeSpan StartDuration);

/// <summary>Starts many idle VMs in this process and measures memory per VM (target: 1,000 VMs at 50 KiB or less each).</summary>
public static class IdleVmBenchmark
{
    /// <summary>Runs the measurement. Each VM needs one file descriptor: raise <c>ulimit -n</c> above <paramref name="vmCount"/>.</summary>
    /// <param name="vmCount">How many VMs to start.</param>
    /// <param name="directory">A writable directory for the unix sockets (short path: socket paths are limited to 107 bytes).</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<IdleVmResult> RunAsync(int vmCount, string directory, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vmCount, 1);
        var process = Process.GetCurrentProcess();
        long managedBefore = SettledManagedBytes();
        process.Refresh();
        long workingSetBefore = process.WorkingSet64;
        int threadsBefore = process.Threads.Count;
        var started = Stopwatch.StartNew();
        var host = new EmulatorHost(TimeProvider.System, NullLoggerFactory.Instance);
        await using var hostScope = host.ConfigureAwait(false);
        for (int i = 0; i < vmCount; i++)
        {
            var options = new EmulatedVmOptions { Name = $"idle{i}" };
            options.QmpEndpoints.Add(QmpEndpoint.Unix(Path.Combine(directory, $"vm{i}.sock")));
            host.Add(options);
        }
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        started.Stop();
        long managedAfter = SettledManagedBytes();
        process.Refresh();
        return new IdleVmResult(
            vmCount,
            (managedAfter - managedBefore) / vmCount,
            (process.WorkingSet64 - workingSetBefore) / vmCount,
            threadsBefore,
            process.Threads.Count,
            started.Elapsed);
    }

    private static long SettledManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

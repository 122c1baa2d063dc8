namespace Appliance.TestSupport.Files;

/// <summary>Keeps the disk busy syncing, as a box's slow storage or a busy neighbour does: a thread that writes a file in
/// a directory and fsyncs it, over and over, until disposed. Every fsync of the code under test then waits behind it.</summary>
public sealed class SyncPressure : IDisposable
{
    private const int ChunkBytes = 1 << 20;
    private const int ChunksPerSync = 32;

    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    private SyncPressure(string directory)
    {
        string path = Path.Combine(directory, "sync-pressure");
        _thread = new Thread(() => Run(path, _stop.Token)) { IsBackground = true, Name = "sync pressure" };
        _thread.Start();
    }

    /// <summary>Starts writing and syncing a file in <paramref name="directory"/>.</summary>
    public static SyncPressure Start(string directory) => new(directory);

    private static void Run(string path, CancellationToken stop)
    {
        var chunk = new byte[ChunkBytes];
        Random.Shared.NextBytes(chunk);
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < ChunksPerSync; i++) RandomAccess.Write(file, chunk, (long)i * ChunkBytes);
            RandomAccess.FlushToDisk(file);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}

namespace Appliance.Host.Dashboard;

/// <summary>Ends <c>appliance top</c> when <c>q</c> (or <c>Q</c>, or Escape) is pressed; Ctrl+C ends it through the
/// command line's own cancellation.</summary>
internal static class QuitKey
{
    /// <summary>Polls the keyboard until a quit key cancels <paramref name="quit"/> or <paramref name="cancellationToken"/> ends.
    /// Does nothing when standard input is not a terminal.</summary>
    public static async Task WatchAsync(CancellationTokenSource quit, CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected) return;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (Console.KeyAvailable)
                {
                    var key = Console.ReadKey(intercept: true);
                    if (key.Key is ConsoleKey.Q or ConsoleKey.Escape)
                    {
                        await quit.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // top is ending anyway.
        }
        catch (InvalidOperationException)
        {
            // No console to read keys from.
        }
    }
}

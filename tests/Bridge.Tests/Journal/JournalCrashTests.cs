using System.Diagnostics;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>What a crash leaves on disk: the database file and the write-ahead log as they were at that instant.</summary>
public sealed class JournalCrashTests
{
    [Fact]
    public async Task A_crash_image_taken_mid_flood_passes_integrity_check_and_resumes_the_sequence()
    {
        using var crashDir = new TempDirectory();
        await using var h = new JournalHarness(o => { o.BatchMaxEvents = 100; o.BatchMaxDelay = TimeSpan.Zero; });
        await h.StartAsync();
        using var flooding = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            for (int i = 0; !flooding.IsCancellationRequested; i++) await h.Hub.PublishAsync(TestEvents.Named("STOP", n: i), flooding.Token);
        });
        await h.WaitForSeqAsync(3000);

        long committedBeforeImage = TakeCrashImage(h.Options.Path, crashDir.File("journal.db"));
        await flooding.CancelAsync();
        try
        {
            await flood;
        }
        catch (OperationCanceledException)
        {
            // Stopped inside a publish; between two publishes the loop simply ends.
        }

        AssertRecovered(crashDir.File("journal.db"), atLeast: committedBeforeImage);
    }

    [Fact]
    public async Task A_process_killed_with_sigkill_mid_transaction_loses_no_committed_transaction()
    {
        using var dir = new TempDirectory();
        string path = dir.File("journal.db");
        EventJournal.Open(new JournalOptions { Path = path }).Dispose();
        // sqlite3 appends transactions of 100 rows each, as fast as it can, until killed.
        const string transaction =
            "BEGIN; INSERT INTO events(vm, event, timestamp_us, received_us, layout, raw) " +
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) " +
            "SELECT 'vm1', 'STOP', x, x, 0, CAST('{\"event\": \"STOP\"}' AS BLOB) FROM c; COMMIT;";
        using var writer = Process.Start(new ProcessStartInfo("bash", ["-c", $"yes \"{transaction.Replace("\"", "\\\"", StringComparison.Ordinal)}\" | sqlite3 -bail {path}"])
        {
            RedirectStandardError = true,
        })!;

        using (var reader = EventJournal.OpenReadOnly(path))
        {
            await JournalHarness.EventuallyAsync(() => reader.LastCommittedSeq >= 20_000 || writer.HasExited, "sqlite3 to commit rows");
        }
        if (writer.HasExited) Assert.Fail("sqlite3 stopped early: " + await writer.StandardError.ReadToEndAsync());
        writer.Kill(entireProcessTree: true);
        await writer.WaitForExitAsync();

        long rows = AssertRecovered(path, atLeast: 20_000);
        Assert.Equal(0, rows % 100);
    }

    /// <summary>Copies the database and its log as a crash would leave them; returns the rows committed before the copy.</summary>
    /// <remarks>An open read transaction keeps checkpoints from overwriting database pages its snapshot still needs and
    /// keeps the log from restarting, so the copied log holds every frame the copied database file lacks.</remarks>
    private static long TakeCrashImage(string source, string target)
    {
        using var snapshot = SqliteConnection.Open(source, readOnly: true);
        snapshot.Execute("BEGIN");
        long committed = snapshot.ExecuteScalar("SELECT max(seq) FROM events");
        File.Copy(source, target);
        File.Copy(source + "-wal", target + "-wal");
        snapshot.Execute("COMMIT");
        return committed;
    }

    /// <summary>Opens the journal as a restarted appliance would and checks it; returns the rows recovered.</summary>
    private static long AssertRecovered(string path, long atLeast)
    {
        using var journal = EventJournal.Open(new JournalOptions { Path = path });
        using (var check = SqliteConnection.Open(path))
        using (var integrity = check.Prepare("PRAGMA integrity_check"))
        {
            Assert.True(integrity.Step());
            Assert.Equal("ok", integrity.GetString(0));
        }
        long last = journal.LastCommittedSeq;
        Assert.True(last >= atLeast, $"recovered {last} rows, {atLeast} were committed");
        var all = journal.ReadAfter(0, int.MaxValue);
        Assert.Equal(last, all.Count);
        Assert.Equal(last, all[^1].Seq);

        journal.Append([TestEvents.Named("RESUME")]);
        Assert.Equal(last + 1, journal.LastCommittedSeq);
        return last;
    }
}

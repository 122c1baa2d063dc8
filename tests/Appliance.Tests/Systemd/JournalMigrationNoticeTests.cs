using System.Net.Sockets;
using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Sqlite;
using Appliance.Host.Systemd;
using Appliance.TestSupport.Files;

namespace Appliance.Tests.Systemd;

public sealed class JournalMigrationNoticeTests
{
    [Fact]
    public void A_journal_that_needs_migrating_extends_the_start_timeout()
    {
        using var dir = new TempDirectory();
        string journal = dir.File("journal.db");
        EventJournal.Open(new JournalOptions { Path = journal }).Dispose();
        using (var connection = SqliteConnection.Open(journal))
        {
            // One step behind the schema this build writes.
            connection.Execute($"PRAGMA user_version = {connection.ExecuteScalar("PRAGMA user_version") - 1}");
        }
        using var receiver = Receiver(dir.File("notify"));
        using var notifier = new SdNotifier(dir.File("notify"));

        Assert.True(JournalMigrationNotice.SendIfMigrating(journal, notifier));

        var buffer = new byte[512];
        receiver.ReceiveTimeout = 10_000;
        string message = Encoding.UTF8.GetString(buffer, 0, receiver.Receive(buffer));
        Assert.StartsWith("EXTEND_TIMEOUT_USEC=900000000\nSTATUS=migrating the journal schema (1 step(s))", message);
    }

    [Fact]
    public void A_current_or_missing_journal_sends_nothing()
    {
        using var dir = new TempDirectory();
        string journal = dir.File("journal.db");
        using var receiver = Receiver(dir.File("notify"));
        using var notifier = new SdNotifier(dir.File("notify"));

        Assert.False(JournalMigrationNotice.SendIfMigrating(journal, notifier));
        EventJournal.Open(new JournalOptions { Path = journal }).Dispose();
        Assert.False(JournalMigrationNotice.SendIfMigrating(journal, notifier));
        Assert.Equal(0, receiver.Available);
    }

    private static Socket Receiver(string path)
    {
        var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        return receiver;
    }
}

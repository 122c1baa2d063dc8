using Appliance.Bridge.Journal;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Journal;

/// <summary>One process writes a journal at a time (an exclusive flock on <c>journal.db-lock</c>); any number read it.</summary>
public sealed class JournalWriteLockTests
{
    [Fact]
    public void A_second_writer_of_a_journal_is_refused_naming_the_journal()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        using var first = EventJournal.Open(options);

        var refused = Assert.Throws<IOException>(() => EventJournal.Open(options));

        Assert.Contains($"Journal '{options.Path}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Only one appliance may write a journal", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_writer_leaves_the_critical_lane_file_alone()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        using var first = EventJournal.Open(options);
        // A running writer's lane file: a second writer's open would recover it into the table and delete it.
        string lane = options.Path + JournalCriticalFile.Suffix;
        JournalCriticalFile.Create(lane, 64 * 1024).Dispose();

        Assert.Throws<IOException>(() => EventJournal.Open(options));

        Assert.True(File.Exists(lane), "the refused writer deleted the running writer's critical-lane file");
    }

    [Fact]
    public void A_journal_its_writer_closed_opens_for_writing_again()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        EventJournal.Open(options).Dispose();

        using var again = EventJournal.Open(options);

        Assert.Equal(0, again.LastCommittedSeq);
    }

    [Fact]
    public void A_reader_opens_the_journal_while_a_writer_has_it()
    {
        using var dir = new TempDirectory();
        var options = new JournalOptions { Path = dir.File("journal.db") };
        using var writer = EventJournal.Open(options);
        writer.Append([TestEvents.Named("RESUME")]);

        using var reader = EventJournal.OpenReadOnly(options.Path);

        Assert.Equal(1, reader.LastCommittedSeq);
    }
}

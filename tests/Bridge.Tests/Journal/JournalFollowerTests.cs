using System.Text;
using Appliance.Bridge.Journal;
using Appliance.Bridge.Pipeline;
using Appliance.Qmp.Messages;

namespace Appliance.Bridge.Tests.Journal;

public sealed class JournalFollowerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static JournalEntry Entry(string raw) =>
        new(42, "vm1", "BLOCK_IO_ERROR", new QmpTimestamp(1763726400, 123456), Now, Encoding.UTF8.GetBytes(raw), VmEventFlags.None);

    [Fact]
    public async Task Follow_polls_another_connections_commits_on_its_interval_and_applies_the_filter()
    {
        await using var h = new JournalHarness(o => o.BatchMaxDelay = TimeSpan.Zero);
        await h.StartAsync();
        await h.PublishAsync([TestEvents.Named("STOP"), TestEvents.Named("RESUME", "vm2")]);
        await h.WaitForSeqAsync(2);
        using var cli = EventJournal.OpenReadOnly(h.Options.Path);
        var pollTime = new Appliance.TestSupport.Time.ManualTimeProvider();
        var follower = new JournalFollower(cli, TimeSpan.FromSeconds(1), pollTime);
        using var stop = new CancellationTokenSource(JournalHarness.Patience);
        await using var rows = follower.FollowAsync(new JournalQuery(Vm: "vm1", AfterSeq: 0), stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await rows.MoveNextAsync());
        Assert.Equal(1, rows.Current.Seq);
        var next = rows.MoveNextAsync().AsTask();
        await JournalHarness.EventuallyAsync(() => pollTime.ArmedTimers > 0, "the follower's poll timer");
        await h.PublishAsync([TestEvents.Named("RESET", "vm2"), TestEvents.Named("SHUTDOWN", "vm1")]);
        await h.WaitForSeqAsync(4);
        Assert.False(next.IsCompleted);

        pollTime.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await next);
        Assert.Equal((4L, "SHUTDOWN"), (rows.Current.Seq, rows.Current.Event));
    }

    [Fact]
    public void The_query_matcher_applies_every_filter()
    {
        var entry = Entry("{}") with { Vm = "a", Event = "STOP", Received = Now };
        Assert.True(JournalQueryMatcher.Matches(new JournalQuery(Vm: "a", Events: ["STOP"], Since: Now, Until: Now.AddSeconds(1), AfterSeq: 41), entry));
        Assert.False(JournalQueryMatcher.Matches(new JournalQuery(Vm: "b"), entry));
        Assert.False(JournalQueryMatcher.Matches(new JournalQuery(Events: ["RESUME"]), entry));
        Assert.False(JournalQueryMatcher.Matches(new JournalQuery(Until: Now), entry));
        Assert.False(JournalQueryMatcher.Matches(new JournalQuery(AfterSeq: 42), entry));
    }
}

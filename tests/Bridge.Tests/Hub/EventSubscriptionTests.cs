using Appliance.Bridge.Pipeline;
using Appliance.Bridge.Tests.Journal;

namespace Appliance.Bridge.Tests.Hub;

public sealed class EventSubscriptionTests
{
    [Fact]
    public async Task A_subscription_with_a_filter_gets_only_the_events_it_accepts_and_the_others_get_all()
    {
        var hub = new EventHub();
        var critical = hub.Subscribe("critical", EventDelivery.DropOldest, accepts: e => e.IsCritical);
        var all = hub.Subscribe("all", EventDelivery.Lossless);

        await hub.PublishAsync(TestEvents.Named("STOP"));
        await hub.PublishAsync(TestEvents.Critical());

        Assert.Equal(1, critical.Reader.Count);
        Assert.True(critical.Reader.TryRead(out var taken) && taken.IsCritical);
        Assert.Equal(2, all.Reader.Count);
    }

    [Fact]
    public void A_lossless_subscription_cannot_be_woken_on_publish()
    {
        var hub = new EventHub();

        var e = Assert.Throws<ArgumentException>(() => hub.Subscribe("journal", EventDelivery.Lossless, wakeOnPublish: true));
        Assert.Equal("wakeOnPublish", e.ParamName);
    }

    [Fact]
    public async Task A_lossless_subscription_counts_the_critical_events_in_its_queue_until_taken()
    {
        var hub = new EventHub();
        var journal = hub.Subscribe("journal", EventDelivery.Lossless);

        await hub.PublishAsync(TestEvents.Named("STOP"));
        await hub.PublishAsync(TestEvents.Critical());
        await hub.PublishAsync(TestEvents.Critical());
        Assert.Equal(2, journal.CriticalQueued);

        journal.CriticalTaken();
        Assert.Equal(1, journal.CriticalQueued);
    }

    [Fact]
    public async Task A_critical_event_whose_publish_was_cancelled_is_not_counted()
    {
        var hub = new EventHub();
        var journal = hub.Subscribe("journal", EventDelivery.Lossless, capacity: 1);
        await hub.PublishAsync(TestEvents.Named("STOP"));
        using var cancel = new CancellationTokenSource();

        // The queue is full: the publisher waits for room, then gives up.
        var publish = hub.PublishAsync(TestEvents.Critical(), cancel.Token).AsTask();
        Assert.Equal(1, journal.CriticalQueued);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish);
        Assert.Equal(0, journal.CriticalQueued);
    }

    [Fact]
    public async Task A_drop_oldest_subscription_counts_no_critical_events()
    {
        var hub = new EventHub();
        var lamp = hub.Subscribe("lamp", EventDelivery.DropOldest);

        await hub.PublishAsync(TestEvents.Critical());

        Assert.Equal(0, lamp.CriticalQueued);
    }
}

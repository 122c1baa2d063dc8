using Appliance.Bridge.Mqtt;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class DeliveryWindowTests
{
    [Fact]
    public void Cursor_stays_below_the_oldest_unacknowledged_seq()
    {
        var window = new DeliveryWindow(10);
        window.Sent(11);
        window.Sent(12);
        window.Sent(13);

        window.Done(12);
        window.Done(13);

        Assert.Equal(10, window.Cursor);
    }

    [Fact]
    public void Cursor_moves_to_the_highest_sent_seq_once_all_are_acknowledged()
    {
        var window = new DeliveryWindow(0);
        window.Sent(5);
        window.Sent(9);

        window.Done(9);
        window.Done(5);

        Assert.Equal(9, window.Cursor);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void Cursor_jumps_over_seqs_retention_removed()
    {
        var window = new DeliveryWindow(3);
        window.Sent(20);
        window.Sent(21);

        window.Done(20);

        Assert.Equal(20, window.Cursor);
    }

    [Fact]
    public void Rewinding_empties_the_window_without_moving_the_cursor()
    {
        var window = new DeliveryWindow(10);
        window.Sent(11);
        window.Sent(12);
        window.Sent(13);

        window.Rewind(10);

        Assert.Equal(0, window.Count);
        Assert.Equal(10, window.Cursor);
        window.Sent(11);
        window.Done(11);
        Assert.Equal(11, window.Cursor);
    }
}

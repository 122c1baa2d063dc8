using Appliance.Bridge.Mqtt.Client;

namespace Appliance.Bridge.Tests.Mqtt;

public sealed class PacketIdTableTests
{
    [Fact]
    public void An_answer_returns_the_owner_of_its_identifier_once()
    {
        var table = new PacketIdTable();
        ushort id = table.Add("first");

        Assert.Equal("first", table.Remove(id));
        Assert.Null(table.Remove(id));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Identifiers_go_round_after_65535_and_skip_those_still_in_use()
    {
        var table = new PacketIdTable();
        ushort kept = table.Add("kept");
        for (int i = 1; i < ushort.MaxValue; i++) table.Remove(table.Add(i));

        ushort next = table.Add("after the wrap");

        Assert.Equal(1, kept);
        Assert.Equal(2, next);
    }

    [Fact]
    public void With_every_identifier_in_use_none_is_handed_out()
    {
        var table = new PacketIdTable();
        for (int i = 0; i < ushort.MaxValue; i++) Assert.NotEqual(0, table.Add(i));

        Assert.Equal(0, table.Add("one too many"));
    }

    [Fact]
    public void Clearing_hands_back_every_owner_and_frees_every_identifier()
    {
        var table = new PacketIdTable();
        table.Add("a");
        table.Add("b");
        var owners = new List<object>();

        table.Clear(owners.Add);

        Assert.Equal(["a", "b"], owners);
        Assert.Equal(0, table.Count);
        Assert.Equal(3, table.Add("c"));
    }
}

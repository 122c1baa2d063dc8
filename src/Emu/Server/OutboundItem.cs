namespace Appliance.Emu.Server;

/// <summary>One item of a monitor's output queue: a rendered line, or a load-mode burst generated while writing.</summary>
internal readonly record struct OutboundItem(byte[]? Line, long LoadCount = 0)
{
    public long Size => Line?.Length ?? 0;
}

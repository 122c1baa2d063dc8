using System.Runtime.CompilerServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary>Constants and ioctl request numbers of the GPIO character device uAPI v2 (linux/gpio.h).</summary>
internal static class GpioUapi
{
    public const int MaxNameSize = 32;
    public const int LinesMax = 64;
    public const int NumAttrsMax = 10;

    public const ulong FlagUsed = 1UL << 0;
    public const ulong FlagActiveLow = 1UL << 1;
    public const ulong FlagInput = 1UL << 2;
    public const ulong FlagOutput = 1UL << 3;
    public const ulong FlagEdgeRising = 1UL << 4;
    public const ulong FlagEdgeFalling = 1UL << 5;
    public const ulong FlagOpenDrain = 1UL << 6;
    public const ulong FlagOpenSource = 1UL << 7;
    public const ulong FlagBiasPullUp = 1UL << 8;
    public const ulong FlagBiasPullDown = 1UL << 9;
    public const ulong FlagBiasDisabled = 1UL << 10;

    public const uint AttrIdFlags = 1;
    public const uint AttrIdOutputValues = 2;
    public const uint AttrIdDebounce = 3;

    public const uint EventRisingEdge = 1;
    public const uint EventFallingEdge = 2;

    // _IOC(dir, 0xB4, nr, size) as in asm-generic/ioctl.h, which x86_64 and arm64 both use.
    private const uint IocWrite = 1, IocRead = 2, GpioType = 0xB4;

    public static readonly nuint GetChipInfo = Ioc(IocRead, 0x01, Unsafe.SizeOf<GpioChipInfo>());
    public static readonly nuint GetLineInfo = Ioc(IocRead | IocWrite, 0x05, Unsafe.SizeOf<GpioV2LineInfo>());
    public static readonly nuint GetLine = Ioc(IocRead | IocWrite, 0x07, Unsafe.SizeOf<GpioV2LineRequest>());
    public static readonly nuint LineSetConfig = Ioc(IocRead | IocWrite, 0x0D, Unsafe.SizeOf<GpioV2LineConfig>());
    public static readonly nuint LineGetValues = Ioc(IocRead | IocWrite, 0x0E, Unsafe.SizeOf<GpioV2LineValues>());
    public static readonly nuint LineSetValues = Ioc(IocRead | IocWrite, 0x0F, Unsafe.SizeOf<GpioV2LineValues>());

    private static nuint Ioc(uint dir, uint nr, int size) => (nuint)((dir << 30) | ((uint)size << 16) | (GpioType << 8) | nr);
}

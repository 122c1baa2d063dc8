using System.Diagnostics;
using System.Runtime.CompilerServices;
using Appliance.Bridge.Interop.Gpio;
using Appliance.TestSupport.Files;

namespace Appliance.Bridge.Tests.Indicators;

/// <summary>The interop structs must match linux/gpio.h byte for byte: a tiny C program compiled now prints the
/// kernel header's sizes and offsets, and every one is compared with the C# layout.</summary>
public sealed unsafe class GpioStructLayoutTests
{
    private static readonly (string CExpression, Func<long> Managed)[] Checks =
    [
        ("sizeof(struct gpiochip_info)", () => Unsafe.SizeOf<GpioChipInfo>()),
        ("offsetof(struct gpiochip_info, label)", () => Offset<GpioChipInfo>(p => p->Label)),
        ("offsetof(struct gpiochip_info, lines)", () => Offset<GpioChipInfo>(p => &p->Lines)),

        ("sizeof(struct gpio_v2_line_attribute)", () => Unsafe.SizeOf<GpioV2LineAttribute>()),
        ("offsetof(struct gpio_v2_line_attribute, padding)", () => Offset<GpioV2LineAttribute>(p => &p->Padding)),
        ("offsetof(struct gpio_v2_line_attribute, flags)", () => Offset<GpioV2LineAttribute>(p => &p->Value)),
        ("offsetof(struct gpio_v2_line_attribute, debounce_period_us)", () => Offset<GpioV2LineAttribute>(p => &p->Value)),

        ("sizeof(struct gpio_v2_line_config_attribute)", () => Unsafe.SizeOf<GpioV2LineConfigAttribute>()),
        ("offsetof(struct gpio_v2_line_config_attribute, mask)", () => Offset<GpioV2LineConfigAttribute>(p => &p->Mask)),

        ("sizeof(struct gpio_v2_line_config)", () => Unsafe.SizeOf<GpioV2LineConfig>()),
        ("offsetof(struct gpio_v2_line_config, num_attrs)", () => Offset<GpioV2LineConfig>(p => &p->NumAttrs)),
        ("offsetof(struct gpio_v2_line_config, padding)", () => Offset<GpioV2LineConfig>(p => p->Padding)),
        ("offsetof(struct gpio_v2_line_config, attrs)", () => Offset<GpioV2LineConfig>(p => &p->Attrs)),
        ("offsetof(struct gpio_v2_line_config, attrs[1])", () => Offset<GpioV2LineConfig>(p => &p->Attrs[1])),
        ("offsetof(struct gpio_v2_line_config, attrs[9].mask)", () => Offset<GpioV2LineConfig>(p => &p->Attrs[9].Mask)),

        ("sizeof(struct gpio_v2_line_request)", () => Unsafe.SizeOf<GpioV2LineRequest>()),
        ("offsetof(struct gpio_v2_line_request, consumer)", () => Offset<GpioV2LineRequest>(p => p->Consumer)),
        ("offsetof(struct gpio_v2_line_request, config)", () => Offset<GpioV2LineRequest>(p => &p->Config)),
        ("offsetof(struct gpio_v2_line_request, num_lines)", () => Offset<GpioV2LineRequest>(p => &p->NumLines)),
        ("offsetof(struct gpio_v2_line_request, event_buffer_size)", () => Offset<GpioV2LineRequest>(p => &p->EventBufferSize)),
        ("offsetof(struct gpio_v2_line_request, padding)", () => Offset<GpioV2LineRequest>(p => p->Padding)),
        ("offsetof(struct gpio_v2_line_request, fd)", () => Offset<GpioV2LineRequest>(p => &p->Fd)),

        ("sizeof(struct gpio_v2_line_info)", () => Unsafe.SizeOf<GpioV2LineInfo>()),
        ("offsetof(struct gpio_v2_line_info, consumer)", () => Offset<GpioV2LineInfo>(p => p->Consumer)),
        ("offsetof(struct gpio_v2_line_info, offset)", () => Offset<GpioV2LineInfo>(p => &p->Offset)),
        ("offsetof(struct gpio_v2_line_info, num_attrs)", () => Offset<GpioV2LineInfo>(p => &p->NumAttrs)),
        ("offsetof(struct gpio_v2_line_info, flags)", () => Offset<GpioV2LineInfo>(p => &p->Flags)),
        ("offsetof(struct gpio_v2_line_info, attrs)", () => Offset<GpioV2LineInfo>(p => &p->Attrs)),
        ("offsetof(struct gpio_v2_line_info, padding)", () => Offset<GpioV2LineInfo>(p => p->Padding)),

        ("sizeof(struct gpio_v2_line_values)", () => Unsafe.SizeOf<GpioV2LineValues>()),
        ("offsetof(struct gpio_v2_line_values, mask)", () => Offset<GpioV2LineValues>(p => &p->Mask)),

        ("sizeof(struct gpio_v2_line_event)", () => Unsafe.SizeOf<GpioV2LineEvent>()),
        ("offsetof(struct gpio_v2_line_event, id)", () => Offset<GpioV2LineEvent>(p => &p->Id)),
        ("offsetof(struct gpio_v2_line_event, offset)", () => Offset<GpioV2LineEvent>(p => &p->Offset)),
        ("offsetof(struct gpio_v2_line_event, seqno)", () => Offset<GpioV2LineEvent>(p => &p->Seqno)),
        ("offsetof(struct gpio_v2_line_event, line_seqno)", () => Offset<GpioV2LineEvent>(p => &p->LineSeqno)),
        ("offsetof(struct gpio_v2_line_event, padding)", () => Offset<GpioV2LineEvent>(p => p->Padding)),

        ("sizeof(struct epoll_event)", () => EpollSet.EventSize),
        ("offsetof(struct epoll_event, data)", () => EpollSet.DataOffset),
        ("EPOLLIN", () => LibC.EpollIn),
        ("EPOLL_CLOEXEC", () => LibC.EpollCloExec),
        ("EPOLL_CTL_ADD", () => LibC.EpollCtlAdd),
        ("EPOLL_CTL_DEL", () => LibC.EpollCtlDel),
        ("EFD_CLOEXEC", () => LibC.EfdCloExec),

        ("GPIO_GET_CHIPINFO_IOCTL", () => (long)GpioUapi.GetChipInfo),
        ("GPIO_V2_GET_LINEINFO_IOCTL", () => (long)GpioUapi.GetLineInfo),
        ("GPIO_V2_GET_LINE_IOCTL", () => (long)GpioUapi.GetLine),
        ("GPIO_V2_LINE_SET_CONFIG_IOCTL", () => (long)GpioUapi.LineSetConfig),
        ("GPIO_V2_LINE_GET_VALUES_IOCTL", () => (long)GpioUapi.LineGetValues),
        ("GPIO_V2_LINE_SET_VALUES_IOCTL", () => (long)GpioUapi.LineSetValues),
        ("GPIO_V2_LINE_FLAG_BIAS_DISABLED", () => (long)GpioUapi.FlagBiasDisabled),
        ("GPIO_V2_LINE_ATTR_ID_DEBOUNCE", () => GpioUapi.AttrIdDebounce),
        ("O_CLOEXEC", () => LibC.OCloExec),
        ("EBUSY", () => LibC.EBusy),
    ];

    private static readonly Lazy<Dictionary<string, long>> KernelValues = new(CompileAndRunProbe);

    public static TheoryData<string> Expressions => [.. Checks.Select(c => c.CExpression)];

    [Theory]
    [MemberData(nameof(Expressions))]
    public void Interop_layout_matches_the_kernel_header(string cExpression)
    {
        var managed = Checks.Single(c => c.CExpression == cExpression).Managed();
        Assert.Equal(KernelValues.Value[cExpression], managed);
    }

    private delegate void* FieldOf<T>(T* instance) where T : unmanaged;

    private static long Offset<T>(FieldOf<T> field) where T : unmanaged
    {
        T value = default;
        T* p = &value;
        return (byte*)field(p) - (byte*)p;
    }

    private static Dictionary<string, long> CompileAndRunProbe()
    {
        using var dir = new TempDirectory();
        var source = dir.File("probe.c");
        var lines = Checks.Select(c => $"  printf(\"%s=%lld\\n\", \"{c.CExpression}\", (long long)({c.CExpression}));");
        File.WriteAllText(source, $$"""
            #include <stdio.h>
            #include <stddef.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <sys/epoll.h>
            #include <sys/eventfd.h>
            #include <linux/gpio.h>
            int main(void) {
            {{string.Join("\n", lines)}}
              return 0;
            }
            """);
        Run("cc", $"-o {dir.File("probe")} {source}");
        return Run(dir.File("probe"), "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('='))
            .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"{file} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed: {stderr}");
        return stdout.Result;
    }
}

using System.Runtime.CompilerServices;

namespace Appliance.Bridge.Interop.Gpio;

/// <summary><c>struct gpio_v2_line_config_attribute attrs[GPIO_V2_LINE_NUM_ATTRS_MAX]</c>.</summary>
[InlineArray(GpioUapi.NumAttrsMax)]
internal struct GpioV2ConfigAttributeArray
{
    private GpioV2LineConfigAttribute _first;
}

/// <summary><c>struct gpio_v2_line_attribute attrs[GPIO_V2_LINE_NUM_ATTRS_MAX]</c>.</summary>
[InlineArray(GpioUapi.NumAttrsMax)]
internal struct GpioV2AttributeArray
{
    private GpioV2LineAttribute _first;
}

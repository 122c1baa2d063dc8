using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Appliance.Host.Hosting;

/// <summary>The registration shapes the host repeats: one instance under a second service type, a hosted service other
/// components also depend on, and an options value components take as it is.</summary>
internal static class RegistrationShapes
{
    /// <summary>Makes the singleton <typeparamref name="TImplementation"/> (registered on its own) also the
    /// <typeparamref name="TService"/>: one instance under both types, not a second one.</summary>
    public static IServiceCollection AddAlias<TService, TImplementation>(this IServiceCollection services)
        where TService : class where TImplementation : class, TService =>
        services.AddSingleton<TService>(sp => sp.GetRequiredService<TImplementation>());

    /// <summary>Registers <typeparamref name="T"/> once and runs that same instance as a hosted service, so its health
    /// check or the status document reads the instance that runs.</summary>
    public static IServiceCollection AddHostedSingleton<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(
        this IServiceCollection services) where T : class, IHostedService
    {
        services.AddSingleton<T>();
        return services.AddHostedService(sp => sp.GetRequiredService<T>());
    }

    /// <summary>Lets components take the options value itself. The options registration binds and validates it once
    /// (its validators run on the first read, and <c>ValidateOnStart</c> reads it when the host starts).</summary>
    public static IServiceCollection AddOptionsValue<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(
        this IServiceCollection services) where T : class =>
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
}

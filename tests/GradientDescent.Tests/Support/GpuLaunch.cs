using System.Reflection;
using ILGPU;

namespace GradientDescent.Tests;

/// <summary>
/// Runs a library kernel with the launch shape a GPU gets, on <see cref="TestDevices.GpuKernels"/> (the
/// CPU emulator with 256-thread groups). The launchers give the CPU one-thread groups, so without this the
/// shared-memory tree reductions of the row-wise kernels would run only where a GPU is present.
/// </summary>
/// <remarks>The kernels are private and found by name: a rename fails here, naming the kernel.</remarks>
internal static class GpuLaunch
{
    /// <summary>The private static kernel <paramref name="name"/> of <paramref name="owner"/>, as a delegate.</summary>
    public static TKernel Find<TKernel>(Type owner, string name)
        where TKernel : Delegate
    {
        var method = owner.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(owner.FullName, name);
        return method.CreateDelegate<TKernel>();
    }

    /// <summary>The private static generic kernel <paramref name="name"/> of <paramref name="owner"/>, closed over <paramref name="typeArgument"/>.</summary>
    public static TKernel Find<TKernel>(Type owner, string name, Type typeArgument)
        where TKernel : Delegate
    {
        var method = owner.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(owner.FullName, name);
        return method.MakeGenericMethod(typeArgument).CreateDelegate<TKernel>();
    }

    /// <summary>
    /// The row-group shape <c>Launch.RowGroups</c> gives a GPU: groups of the smallest power of two ≥ cols in
    /// [32, 256], at most <paramref name="maxGroups"/> of them, so rows beyond that take the grid-stride loop.
    /// </summary>
    public static KernelConfig RowGroups(int rows, int cols, int maxGroups)
    {
        int group = 32;
        while (group < cols && group < 256)
        {
            group *= 2;
        }

        return new KernelConfig(Math.Min(rows, maxGroups), group);
    }
}

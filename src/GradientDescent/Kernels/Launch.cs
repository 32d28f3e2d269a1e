using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent.Kernels;

/// <summary>
/// Launch shapes. Every kernel here is explicitly grouped with a grid-stride loop, so the grid is
/// sized to the accelerator rather than to the data: on the CPU emulator each simulated thread is an
/// OS thread and reading <c>Grid</c>/<c>Group</c> costs ~200 ns, so kernels read them once and loop.
/// </summary>
internal static class Launch
{
    /// <summary>Largest group the row-wise kernels use; their shared scratch has this many floats.</summary>
    internal const int MaxRowGroup = 256;

    /// <summary>A 1-D grid for <paramref name="n"/> independent elements.</summary>
    internal static KernelConfig GridStride(ComputeDevice device, long n)
    {
        var accelerator = device.Accelerator;
        if (device.IsCpu)
        {
            return new KernelConfig(accelerator.NumMultiprocessors, accelerator.MaxNumThreadsPerGroup);
        }

        const int group = 256;
        long wanted = (n + group - 1) / group;
        long cap = (long)accelerator.NumMultiprocessors * (accelerator.MaxNumThreadsPerMultiprocessor / group) * 4;
        return new KernelConfig((int)Math.Clamp(wanted, 1, Math.Max(cap, 1)), group);
    }

    /// <summary>
    /// One group per row (rows taken in a grid-stride loop), the group's threads striding over columns.
    /// On the CPU a group is a single thread: barriers between OS threads cost more than the row.
    /// </summary>
    internal static KernelConfig RowGroups(ComputeDevice device, int rows, int columns)
    {
        var accelerator = device.Accelerator;
        if (device.IsCpu)
        {
            return new KernelConfig(Math.Min(rows, accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerGroup), 1);
        }

        int group = 32;
        while (group < columns && group < MaxRowGroup && group < accelerator.MaxNumThreadsPerGroup)
        {
            group *= 2;
        }

        long cap = (long)accelerator.NumMultiprocessors * (accelerator.MaxNumThreadsPerMultiprocessor / group) * 2;
        return new KernelConfig((int)Math.Clamp(rows, 1, Math.Max(cap, 1)), group);
    }
}

using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// The shape of a launch, resolved to a grid for the device it runs on. Every kernel here is explicitly
/// grouped and loops over its work (a grid-stride loop), so the grid is sized to the accelerator rather
/// than to the data: on the CPU emulator each simulated thread is an OS thread and reading
/// <c>Grid</c>/<c>Group</c> costs ~200 ns, so kernels read them once into locals and loop.
/// </summary>
/// <remarks>
/// Public so that a <see cref="CustomOp"/>'s kernels are sized exactly as the library's own: pass one to
/// <see cref="CustomLaunch.Run{T1}(LaunchShape, Action{T1}, T1)"/>. The default value is
/// <c>Elements(0)</c>.
/// </remarks>
public readonly struct LaunchShape
{
    /// <summary>Largest group the row-wise kernels use; their shared scratch has this many floats.</summary>
    public const int MaxRowGroup = 256;

    private readonly Kind _kind;
    private readonly long _a;
    private readonly int _b;

    private LaunchShape(Kind kind, long a, int b) => (_kind, _a, _b) = (kind, a, b);

    private enum Kind
    {
        Elements,
        Rows,
        Groups,
        Tiles,
        OneGroup,
    }

    /// <summary><paramref name="n"/> independent elements, taken in a grid-stride loop.</summary>
    /// <param name="n">How many elements the kernel loops over; the grid does not depend on it on the CPU.</param>
    /// <returns>Groups of 256 threads on a GPU (enough to cover <paramref name="n"/>, capped at four waves); on the CPU, one group per core.</returns>
    public static LaunchShape Elements(long n) => new(Kind.Elements, n, 0);

    /// <summary>
    /// One group per row (rows taken in a grid-stride loop), the group's threads striding over columns;
    /// groups are the smallest power of two ≥ cols in [32, 256]. On the CPU a group is one thread:
    /// barriers between OS threads cost more than the row.
    /// </summary>
    /// <param name="rows">How many rows the kernel loops over.</param>
    /// <param name="columns">The row length, which sizes the group.</param>
    /// <returns>The shape.</returns>
    public static LaunchShape Rows(int rows, int columns) => new(Kind.Rows, rows, columns);

    /// <summary>Exactly <paramref name="groups"/> groups of <paramref name="groupSize"/> threads (tiled kernels).</summary>
    /// <param name="groups">The grid, at least 1.</param>
    /// <param name="groupSize">Threads per group, at least 1 and at most what the accelerator allows.</param>
    /// <returns>The shape, the same on every device.</returns>
    public static LaunchShape Groups(int groups, int groupSize) => new(Kind.Groups, groups, groupSize);

    /// <summary>
    /// <paramref name="tiles"/> independent tiles of work, each for one group of <paramref name="groupSize"/> threads
    /// (taken in a grid-stride loop); on the CPU groups of one thread, as for <see cref="Rows"/>.
    /// </summary>
    internal static LaunchShape Tiles(int tiles, int groupSize) => new(Kind.Tiles, tiles, groupSize);

    /// <summary>A single group: <see cref="MaxRowGroup"/> threads on a GPU, one thread on the CPU.</summary>
    /// <returns>The shape.</returns>
    public static LaunchShape OneGroup() => new(Kind.OneGroup, 1, 0);

    /// <summary>Throws if the resolved grid cannot launch on <paramref name="device"/>: for shapes a user chose.</summary>
    internal void CheckFits(ComputeDevice device, string op)
    {
        var config = Resolve(device);
        int maxGroup = device.Accelerator.MaxNumThreadsPerGroup;
        if (config.GridDim.Size < 1 || config.GroupDim.Size < 1 || config.GroupDim.Size > maxGroup)
        {
            throw new CustomOpException(op,
                $"{op}: a launch of {config.GridDim.Size} group(s) of {config.GroupDim.Size} thread(s) cannot run on {device}: "
                + $"it needs at least one group of 1 to {maxGroup} threads.");
        }
    }

    internal KernelConfig Resolve(ComputeDevice device)
    {
        var accelerator = device.Accelerator;
        switch (_kind)
        {
            case Kind.Elements when device.IsCpu:
                return new KernelConfig(accelerator.NumMultiprocessors, accelerator.MaxNumThreadsPerGroup);
            case Kind.Elements:
            {
                const int group = 256;
                long wanted = (_a + group - 1) / group;
                long cap = (long)accelerator.NumMultiprocessors * (accelerator.MaxNumThreadsPerMultiprocessor / group) * 4;
                return new KernelConfig((int)Math.Clamp(wanted, 1, Math.Max(cap, 1)), group);
            }

            case Kind.Rows when device.IsCpu:
                return new KernelConfig((int)Math.Min(_a, (long)accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerGroup), 1);
            case Kind.Rows:
            {
                int group = 32;
                while (group < _b && group < MaxRowGroup && group < accelerator.MaxNumThreadsPerGroup)
                {
                    group *= 2;
                }

                long cap = (long)accelerator.NumMultiprocessors * (accelerator.MaxNumThreadsPerMultiprocessor / group) * 2;
                return new KernelConfig((int)Math.Clamp(_a, 1, Math.Max(cap, 1)), group);
            }

            case Kind.Tiles when device.IsCpu:
                return new KernelConfig(accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerGroup, 1);
            case Kind.Tiles:
            {
                int group = Math.Min(_b, accelerator.MaxNumThreadsPerGroup);
                long cap = (long)accelerator.NumMultiprocessors * (accelerator.MaxNumThreadsPerMultiprocessor / group) * 2;
                return new KernelConfig((int)Math.Clamp(_a, 1, Math.Max(cap, 1)), group);
            }

            case Kind.OneGroup:
                return new KernelConfig(1, device.IsCpu ? 1 : MaxRowGroup);
            default:
                return new KernelConfig((int)_a, _b);
        }
    }
}

using System.Runtime.CompilerServices;
using ILGPU;

namespace GradientDescent;

/// <summary>What a product does besides C = op(A)·op(B): a bias per column, a ReLU, and split-k scratch.</summary>
/// <param name="Bias">Added to every row of C; (n) or null.</param>
/// <param name="Relu">Clamp C below at 0 after the bias.</param>
/// <param name="SplitK">Scratch that lets the depth split over several groups per block of C; null for none.</param>
internal readonly record struct GemmOptions(Tensor? Bias = null, bool Relu = false, GemmSplitK? SplitK = null);

/// <summary>
/// Split-k scratch for <see cref="GpuGemm"/>, kept by a caller that runs the same products every step (the training
/// step's workspace): each split of a block writes its partial block into its own slot, and the last split to finish
/// (elected by an atomic counter per block) adds the slots in split order and stores C through the epilogue.
/// </summary>
/// <remarks>
/// <para>
/// Why: a thin product has few blocks of 64×64, each with a long serial k-loop: x·W1 at batch 64 is 2 blocks of 98
/// slabs, and W1's gradient (784×100) 26 blocks of k = batch. Split over the depth, the same work runs on up to
/// <see cref="MaxSplits"/> times as many groups, the split count chosen so that blocks × splits reaches the device's
/// multiprocessors, each split at least <see cref="MinDepth"/> deep (a split costs a write and a read of its partial
/// block).
/// </para>
/// <para>
/// Deterministic: which group finishes last changes from run to run, but it always adds slot 0, 1, … in order, so C
/// is the same bits every run. The split count depends only on the shape and the device, never on which batch sizes
/// came before. The counters return to 0 when a product ends, so the next launch finds them ready; launches on one
/// device run one after another, so one scratch serves every product of a step.
/// </para>
/// </remarks>
internal sealed class GemmSplitK(Tensor partials, Tensor counters, int targetGroups)
{
    /// <summary>Most groups that share one block.</summary>
    internal const int MaxSplits = 16;

    /// <summary>Fewest depths a split takes: 8 slabs.</summary>
    internal const int MinDepth = 64;

    /// <summary>Per split, its partial blocks as an (m, n) matrix, slot after slot.</summary>
    internal Tensor Partials { get; } = partials;

    /// <summary>One arrival counter per block, as ints, 0 between launches.</summary>
    internal ArrayView<int> Counters => counters.View.Cast<int>();

    internal int CounterCapacity => counters.Length;

    /// <summary>
    /// Splits and the depth of each for a product of <paramref name="blocks"/> blocks and depth <paramref name="k"/>
    /// when <paramref name="targetGroups"/> groups would fill the device: (1, k) when the blocks already do or k is short.
    /// </summary>
    internal static (int Splits, int Depth) Plan(int blocks, int k, int targetGroups)
    {
        if (blocks >= targetGroups || k < 2 * MinDepth)
        {
            return (1, k);
        }

        int wanted = Math.Min(Math.Min((targetGroups + blocks - 1) / blocks, k / MinDepth), MaxSplits);
        // Depth per split rounded up to whole slabs, so only the last split has a partial slab; then the splits
        // that depth needs (never an empty one).
        int depth = ((((k + wanted - 1) / wanted) + GpuGemm.Depth - 1) / GpuGemm.Depth) * GpuGemm.Depth;
        int splits = (k + depth - 1) / depth;
        return splits <= 1 ? (1, k) : (splits, depth);
    }

    /// <summary>Floats of partial blocks a product of (m, n) with depth k needs under <see cref="Plan(int, int, int)"/>.</summary>
    internal static long PartialsFor(int m, int n, int k, int targetGroups)
    {
        var (splits, _) = Plan(GpuGemm.Blocks(m, n), k, targetGroups);
        return splits == 1 ? 0 : (long)splits * m * n;
    }

    internal (int Splits, int Depth) Plan(int blocks, int k) => Plan(blocks, k, targetGroups);

    /// <summary>Checks that the scratch holds what a product of this plan needs: a sizing bug must not corrupt memory.</summary>
    /// <exception cref="InvalidOperationException">It does not.</exception>
    internal void Require(int splits, int m, int n, int blocks)
    {
        if (splits > 1 && ((long)splits * m * n > Partials.Length || blocks > CounterCapacity))
        {
            throw new InvalidOperationException(
                $"Split-k scratch of {Partials.Length} floats and {CounterCapacity} counters is too small for {splits} splits of ({m}, {n}) in {blocks} blocks.");
        }
    }
}

/// <summary>The end of a split block: its partial sums to its slot, and the last split's sum of all slots into C.</summary>
internal static partial class GpuGemm
{
    /// <summary>
    /// Writes this split's partial block into slot <paramref name="split"/> (rows split·m.. of an (splits·m, n) matrix),
    /// then counts the split in; the group that counts last adds slots 0, 1, … in order and stores C through the
    /// epilogue, and puts the counter back to 0.
    /// </summary>
    /// <remarks>
    /// The fence before the count makes this group's partial visible device-wide before any group can see the count
    /// (the counter is the only thing a group waits on, and no group ever waits: no spinning, so any schedule
    /// finishes); the last group's fence after the count orders its reads of the slots after it. OpenCL's atomics are
    /// sequentially consistent at device scope, and its barrier fences global memory too.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishSplit(
        GemmTile tile, ArrayView<float> c, ArrayView<Float4> c4, ArrayView<float> bias, ArrayView<float> partials,
        ArrayView<int> counters, ArrayView<int> arrived, GemmShape shape, GemmEpilogue epilogue,
        int block, int split, int row0, int col0, int t, int vectorPartials)
    {
        int m = shape.M, n = shape.N;
        // Slots are m·n floats each from a 256-byte aligned start: 16-byte aligned rows when n % 4 = 0. The scalar
        // kernel passes vectorPartials = 0 and so keeps to one-float loads.
        int vectorP = vectorPartials != 0 && (n & 3) == 0 ? 1 : 0;
        var partials4 = partials.Cast<Float4>();
        GemmTile.Write(tile, partials, partials4, split * m * n, row0, col0, m, n, n, vectorP, bias, 0, 0);
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (t == 0)
        {
            arrived[0] = Atomic.Add(ref counters[block], 1);
        }

        Group.Barrier();
        if (arrived[0] == epilogue.Splits - 1)
        {
            MemoryFence.DeviceLevel();
            // Four outputs at a time, each summed over the slots in order: holding a whole tile of sums while reading
            // the next slot's (64 + 64 values) would spill.
            GemmTile.WriteSums(c, c4, partials, partials4, row0, col0, shape, epilogue, bias, vectorP);
            if (t == 0)
            {
                counters[block] = 0;
            }
        }

        // arrived[0] is written again by the next block's count only after the barriers of its slab loop.
    }
}

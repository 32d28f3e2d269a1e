using ILGPU;
using ILGPU.Algorithms;

namespace GradientDescent;

/// <summary>
/// Tree reductions across one group through shared memory and barriers. No <c>Warp</c> intrinsics:
/// OpenCL devices report warp size 0 to ILGPU and cannot compile them. The group size must be a power
/// of two no larger than <see cref="LaunchShape.MaxRowGroup"/>; every thread of the group must call.
/// </summary>
internal static class GroupReduce
{
    internal static float Sum(ArrayView<float> scratch, float value, int thread, int groupSize) =>
        Reduce<SumReduction>(scratch, value, thread, groupSize);

    internal static float Max(ArrayView<float> scratch, float value, int thread, int groupSize) =>
        Reduce<MaxReduction>(scratch, value, thread, groupSize);

    /// <summary>Combines every thread's <paramref name="value"/> with <typeparamref name="TReduction"/>, in a fixed tree order.</summary>
    internal static float Reduce<TReduction>(ArrayView<float> scratch, float value, int thread, int groupSize)
        where TReduction : struct, IReduction
    {
        TReduction reduction = default;
        scratch[thread] = value;
        Group.Barrier();
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
            {
                scratch[thread] = reduction.Combine(scratch[thread], scratch[thread + half]);
            }

            Group.Barrier();
        }

        float result = scratch[0];
        // A second barrier so no thread overwrites scratch[0] for the next reduction before all have read it.
        Group.Barrier();
        return result;
    }

    /// <summary>
    /// The group's best (value, index) under <see cref="ArgMaxOrder.Better"/>: the first index of the largest
    /// value, NaN above everything. Returns the index; every thread gets it.
    /// </summary>
    internal static int ArgMax(ArrayView<float> values, ArrayView<int> indices, float value, int index, int thread, int groupSize)
    {
        values[thread] = value;
        indices[thread] = index;
        Group.Barrier();
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half && ArgMaxOrder.Better(values[thread + half], indices[thread + half], values[thread], indices[thread]))
            {
                values[thread] = values[thread + half];
                indices[thread] = indices[thread + half];
            }

            Group.Barrier();
        }

        int result = indices[0];
        Group.Barrier();
        return result;
    }
}

/// <summary>The order of <c>ArgMax</c>: larger wins, NaN beats every number (as in PyTorch), and on a tie the lower index.</summary>
internal static class ArgMaxOrder
{
    /// <summary>Whether (v, i) beats (best, bestIndex).</summary>
    internal static bool Better(float v, int i, float best, int bestIndex)
    {
        bool vNaN = XMath.IsNaN(v), bestNaN = XMath.IsNaN(best);
        if (vNaN != bestNaN)
        {
            return vNaN;
        }

        if (!vNaN && v != best)
        {
            return v > best;
        }

        // Equal (−0 ties +0) or both NaN: the first index wins.
        return i < bestIndex;
    }
}

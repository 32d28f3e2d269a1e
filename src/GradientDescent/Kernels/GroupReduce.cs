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
    internal static float Sum(ArrayView<float> scratch, float value, int thread, int groupSize)
    {
        scratch[thread] = value;
        Group.Barrier();
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
            {
                scratch[thread] += scratch[thread + half];
            }

            Group.Barrier();
        }

        float result = scratch[0];
        // A second barrier so no thread overwrites scratch[0] for the next reduction before all have read it.
        Group.Barrier();
        return result;
    }

    internal static float Max(ArrayView<float> scratch, float value, int thread, int groupSize)
    {
        scratch[thread] = value;
        Group.Barrier();
        for (int half = groupSize / 2; half > 0; half /= 2)
        {
            if (thread < half)
            {
                scratch[thread] = XMath.Max(scratch[thread], scratch[thread + half]);
            }

            Group.Barrier();
        }

        float result = scratch[0];
        Group.Barrier();
        return result;
    }
}

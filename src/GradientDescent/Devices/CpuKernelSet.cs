namespace GradientDescent;

/// <summary>Which kernels a CPU <see cref="ComputeDevice"/> runs.</summary>
public enum CpuKernelSet
{
    /// <summary>
    /// Host kernels written with .NET SIMD (AVX2/FMA where present) and multithreaded, working in place on
    /// the same buffers: the fast CPU path, and the default.
    /// </summary>
    Host,

    /// <summary>
    /// The ILGPU kernels themselves, run by ILGPU's CPU accelerator (an emulator of the GPU model: correct
    /// and slow). This is how the GPU kernels are tested on machines without a GPU.
    /// </summary>
    Emulated,
}

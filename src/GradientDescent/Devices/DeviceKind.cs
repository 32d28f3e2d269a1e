namespace GradientDescent;

/// <summary>The kind of ILGPU accelerator a <see cref="ComputeDevice"/> runs on.</summary>
public enum DeviceKind
{
    /// <summary>ILGPU's CPU accelerator: an emulator of the GPU programming model. Correct, slow, always present.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA (the driver's <c>libcuda.so</c> must be loadable).</summary>
    Cuda,

    /// <summary>An OpenCL 2.0+ device (or 3.0 with generic address space), GPU or CPU.</summary>
    OpenCL,
}

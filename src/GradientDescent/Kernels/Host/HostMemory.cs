using ILGPU;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Host access to tensors on ILGPU's CPU accelerator: its buffers are ordinary pinned host memory, so
/// the host kernels read and write them in place, with no copies.
/// </summary>
internal static unsafe class HostMemory
{
    internal static float* Pointer(Tensor tensor) => (float*)tensor.View.LoadEffectiveAddressAsPtr();

    internal static Span<float> Span(Tensor tensor) => new(Pointer(tensor), tensor.Length);

    internal static ReadOnlySpan<int> Span(Labels labels) =>
        new((int*)labels.View.LoadEffectiveAddressAsPtr(), labels.Count);

    internal static Span<int> Span(ArrayView<int> view) =>
        new((int*)view.LoadEffectiveAddressAsPtr(), (int)view.Length);
}

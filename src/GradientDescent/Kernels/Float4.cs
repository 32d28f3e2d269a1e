using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GradientDescent;

/// <summary>
/// Four consecutive floats, moved as one value. ILGPU's PTX backend emits a single 128-bit access
/// (<c>ld.global.v4.f32</c>, <c>ld.shared.v4.f32</c>) for a load or store of a 16-byte structure of four floats
/// whose address it can prove 16-byte aligned; an <c>ArrayView&lt;Float4&gt;</c> element is, when the view is.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct Float4
{
    internal float X;
    internal float Y;
    internal float Z;
    internal float W;

    internal Float4(float x, float y, float z, float w)
    {
        X = x;
        Y = y;
        Z = z;
        W = w;
    }

    /// <summary><c>a·b + c</c> per lane, written as a product and a sum (ptxas fuses them into FFMA; ILGPU
    /// cannot lower <c>MathF.FusedMultiplyAdd</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Float4 MulAdd(float a, Float4 b, Float4 c) =>
        new((a * b.X) + c.X, (a * b.Y) + c.Y, (a * b.Z) + c.Z, (a * b.W) + c.W);
}

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace GradientDescent;

/// <summary>What a product does to C once a block of it is final, and the prefetch of the next block of op(A).</summary>
internal static unsafe partial class HostGemm
{
    /// <summary>
    /// What a product applies to C after the sums, element by element: <c>c = relu?(c + bias[j])</c> (the
    /// forward of a dense layer), or <c>c = mask &gt; 0 ? c : 0</c> (the gradient through a ReLU whose output is
    /// the mask). Applied to each block of C as soon as it is final, while it is in cache, instead of in a
    /// pass of its own over all of C (8000×100: 3.2 MB, beyond L2). The operations are those of
    /// <see cref="ReluKernels"/>' host versions, in the same order, so the bits are the same as the product
    /// followed by that kernel.
    /// </summary>
    internal readonly struct Epilogue
    {
        private readonly float* _bias;
        private readonly float* _mask;
        private readonly bool _relu;

        /// <summary>Adds <paramref name="bias"/> (one per column, or none) to each row, then takes max(·, 0) when <paramref name="relu"/>.</summary>
        internal Epilogue(float* bias, bool relu)
        {
            _bias = bias;
            _relu = relu;
            _mask = null;
        }

        /// <summary>Zeroes each element of C where <paramref name="mask"/> (laid out as C) is not above 0.</summary>
        internal Epilogue(float* mask)
        {
            _bias = null;
            _relu = false;
            _mask = mask;
        }

        /// <summary>Applies it to rows [rowStart, rowEnd) × columns [colStart, colEnd) of C (row length ldc).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void Apply(float* c, int ldc, int rowStart, int rowEnd, int colStart, int colEnd)
        {
            if (_bias == null && !_relu && _mask == null)
            {
                return;
            }

            int cols = colEnd - colStart;
            for (int r = rowStart; r < rowEnd; r++)
            {
                long offset = ((long)r * ldc) + colStart;
                var row = new Span<float>(c + offset, cols);
                if (_bias != null)
                {
                    TensorPrimitives.Add(row, new ReadOnlySpan<float>(_bias + colStart, cols), row);
                }

                if (_relu)
                {
                    TensorPrimitives.Max(row, 0f, row);
                }

                if (_mask != null)
                {
                    ReluKernels.MaskByOutput(c + offset, _mask + offset, c + offset, cols);
                }
            }
        }
    }

    /// <summary>
    /// Walks a region of memory (segments of equal length, a fixed stride apart) a few cache lines at a
    /// time, asking for each to be brought towards the core: spread over a block's tiles, it fetches the
    /// next block while this one computes.
    /// </summary>
    private struct Prefetcher
    {
        private readonly byte* _start;
        private readonly long _stride;
        private readonly int _segmentBytes;
        private readonly int _segments;
        private int _segment;
        private int _offset;

        internal Prefetcher(byte* start, long stride, int segmentBytes, int segments)
        {
            _start = start;
            _stride = stride;
            _segmentBytes = segmentBytes;
            _segments = segments;
        }

        /// <summary>Lines to fetch in all (a segment that is not line-aligned may span one more).</summary>
        internal readonly int Lines => _start == null ? 0 : _segments * (((_segmentBytes + 63) / 64) + 1);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void Issue(int lines)
        {
            if (!Sse.IsSupported)
            {
                return;
            }

            for (; lines > 0 && _segment < _segments; lines--)
            {
                Sse.Prefetch1(_start + (_segment * _stride) + _offset);
                _offset += 64;
                if (_offset >= _segmentBytes + 63)
                {
                    _offset = 0;
                    _segment++;
                }
            }
        }
    }
}

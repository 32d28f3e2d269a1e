using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// The training step's output layer in one launch, one group per row: logits = h·W2 + b2, the softmax cross-entropy's
/// loss and gradient dlogits = scale·(softmax − onehot), the back-projection dh = (dlogits·W2ᵀ) ⊙ (h &gt; 0), and the
/// mean loss, summed by the last group to finish.
/// </summary>
/// <remarks>
/// <para>
/// Why one row kernel rather than two products around a softmax: the output layer of a classifier is thin (10
/// classes), so as products h·W2 and dlogits·W2ᵀ are a few 64×64 blocks each (2 and 4 at batch 128, most of their
/// columns empty), while one group per row puts every row on its own group; a row costs hidden·classes
/// multiply-adds each way, which the group's threads share. The logits never reach memory and the mean needs no
/// launch of its own.
/// </para>
/// <para>
/// Deterministic: every sum has a fixed order. A logit is split over slices of the hidden units when the group is
/// wider than the classes (slice partials added in slice order); the mean adds the row losses in the order of the
/// one-group <c>Total</c> kernel. No <c>Warp</c> intrinsics (OpenCL has none): shared memory and barriers only.
/// </para>
/// </remarks>
internal static class OutputLayerKernels
{
    /// <summary>Most classes the kernel takes: a row's logits and gradient sit in shared memory, one float each.</summary>
    internal const int MaxClasses = LaunchShape.MaxRowGroup;

    /// <summary>
    /// For each of the first <paramref name="rows"/> rows r: dlogits[r] = scale·(softmax(h[r]·W2 + b2) − onehot(label[r])),
    /// rowLoss[r] = its cross-entropy, dh[r, j] = (dlogits[r]·W2[j]) where h[r, j] &gt; 0, else 0; then loss[0] =
    /// scale·Σ rowLoss. h is (rows, ≥ hidden) with rows <paramref name="ldh"/> floats apart; W2 (hidden, classes);
    /// b2 (classes) or null; dlogits (rows, classes), dh (rows, hidden), rowLoss (rows); counter one int, 0 before
    /// and after. Shapes are checked by the caller; classes ≤ <see cref="MaxClasses"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The device runs host kernels (the host path has its own sequence).</exception>
    internal static void Run(
        Tensor h, int ldh, Tensor w2, Tensor? b2, Labels labels, Tensor dlogits, Tensor dh, Tensor rowLoss, Tensor loss,
        ArrayView<int> counter, int rows, float scale)
    {
        int hidden = w2.Shape[0], classes = w2.Shape[1];
        using var launch = loss.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            throw new InvalidOperationException("The fused output layer has no host version: the host path runs the unfused sequence.");
        }

        var shape = new OutputLayerShape(rows, hidden, classes, ldh, b2 is null ? 0 : 1, scale);
        // Without a bias the kernel gets W2 as a dummy bias view and never reads it.
        launch.Run(LaunchShape.Rows(rows, Math.Max(classes, hidden)), OutputLayerKernel,
            h.View, w2.View, (b2 ?? w2).View, labels.View, dlogits.View, dh.View, rowLoss.View, loss.View, counter, shape);
    }

    private static void OutputLayerKernel(
        ArrayView<float> h, ArrayView<float> w2, ArrayView<float> b2, ArrayView<int> labels, ArrayView<float> dlogits,
        ArrayView<float> dh, ArrayView<float> rowLoss, ArrayView<float> loss, ArrayView<int> counter, OutputLayerShape shape)
    {
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        var slices = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
        var d = SharedMemory.Allocate<float>(MaxClasses);
        var arrived = SharedMemory.Allocate<int>(1);
        int t = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        int rows = shape.Rows, hidden = shape.Hidden, classes = shape.Classes, ldh = shape.Ldh;
        // Lanes: the classes rounded up to a power of two, at most the group. A group wider than that splits each
        // logit's sum over the hidden units into groupSize / lanes slices of consecutive units.
        int lanes = 1;
        while (lanes < classes && lanes < groupSize)
        {
            lanes *= 2;
        }

        int sliceCount = groupSize / lanes;
        int lane = t & (lanes - 1);
        int slice = t / lanes;
        int chunk = (hidden + sliceCount - 1) / sliceCount;
        int jBegin = slice * chunk;
        int jEnd = XMath.Min(hidden, jBegin + chunk);
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int hRow = row * ldh;
            int label = labels[row];
            float localMax = float.NegativeInfinity;
            // One class per thread when slices split the sum (lanes ≥ classes); all classes in turn otherwise.
            for (int c = lane; c < classes; c += lanes)
            {
                float z = 0f;
                for (int j = jBegin; j < jEnd; j++)
                {
                    z += h[hRow + j] * w2[(j * classes) + c];
                }

                if (sliceCount == 1)
                {
                    z = shape.HasBias != 0 ? z + b2[c] : z;
                    d[c] = z;
                    localMax = XMath.Max(localMax, z);
                }
                else
                {
                    slices[t] = z;
                }
            }

            if (sliceCount > 1)
            {
                Group.Barrier();
                if (slice == 0 && lane < classes)
                {
                    float z = 0f;
                    for (int s = 0; s < sliceCount; s++)
                    {
                        z += slices[(s * lanes) + lane];
                    }

                    z = shape.HasBias != 0 ? z + b2[lane] : z;
                    d[lane] = z;
                    localMax = z;
                }
            }

            // The reductions' barriers publish d; the label's logit is read before anything overwrites it.
            float max = GroupReduce.Max(scratch, localMax, t, groupSize);
            float picked = d[label];
            float partial = 0f;
            for (int c = t; c < classes; c += groupSize)
            {
                partial += XMath.Exp(d[c] - max);
            }

            float sum = GroupReduce.Sum(scratch, partial, t, groupSize);
            float inverse = 1f / sum;
            for (int c = t; c < classes; c += groupSize)
            {
                float p = XMath.Exp(d[c] - max) * inverse;
                float g = shape.Scale * (c == label ? p - 1f : p);
                d[c] = g;
                dlogits[(row * classes) + c] = g;
            }

            if (t == 0)
            {
                rowLoss[row] = max + XMath.Log(sum) - picked;
            }

            Group.Barrier();
            for (int j = t; j < hidden; j += groupSize)
            {
                float acc = 0f;
                int w2Row = j * classes;
                for (int c = 0; c < classes; c++)
                {
                    acc += d[c] * w2[w2Row + c];
                }

                dh[(row * hidden) + j] = h[hRow + j] > 0f ? acc : 0f;
            }

            // The next row rewrites d and the slices.
            Group.Barrier();
        }

        MeanOfRows(rowLoss, loss, counter, arrived, scratch, rows, shape.Scale, t, groupSize, gridStride);
    }

    /// <summary>
    /// loss[0] = scale·Σ rowLoss, by the last group to count itself in on <paramref name="counter"/>: thread 0 of each
    /// group wrote its rows' losses, fences, counts; the group that counts last fences and sums all rows, thread t
    /// taking rows t, t + group, … then a tree (the <c>Total</c> kernel's order), and puts the counter back to 0.
    /// No group waits for another, so any schedule finishes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MeanOfRows(
        ArrayView<float> rowLoss, ArrayView<float> loss, ArrayView<int> counter, ArrayView<int> arrived, ArrayView<float> scratch,
        int rows, float scale, int t, int groupSize, int groups)
    {
        // As in the split-k GEMM's FinishSplit: every thread fences, a barrier, then thread 0 counts. With the fence
        // and the count both inside one `if (t == 0)` in a called function, PoCL 6.0 ran the count on every thread.
        MemoryFence.DeviceLevel();
        Group.Barrier();
        if (t == 0)
        {
            arrived[0] = Atomic.Add(ref counter[0], 1);
        }

        Group.Barrier();
        if (arrived[0] != groups - 1)
        {
            return;
        }

        MemoryFence.DeviceLevel();
        float partial = 0f;
        for (int i = t; i < rows; i += groupSize)
        {
            partial += rowLoss[i];
        }

        float total = GroupReduce.Sum(scratch, partial, t, groupSize);
        if (t == 0)
        {
            loss[0] = scale * total;
            counter[0] = 0;
        }
    }
}

/// <summary>The sizes of <see cref="OutputLayerKernels"/>' launch, as one kernel parameter.</summary>
internal readonly struct OutputLayerShape(int rows, int hidden, int classes, int ldh, int hasBias, float scale)
{
    internal readonly int Rows = rows;
    internal readonly int Hidden = hidden;
    internal readonly int Classes = classes;
    internal readonly int Ldh = ldh;
    internal readonly int HasBias = hasBias;
    internal readonly float Scale = scale;
}

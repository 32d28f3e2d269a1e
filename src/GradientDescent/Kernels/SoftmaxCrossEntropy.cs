using ILGPU;
using ILGPU.Algorithms;
using GradientDescent.Kernels.Host;
using ILGPU.Runtime;

namespace GradientDescent.Kernels;

/// <summary>
/// Row-wise log-softmax and softmax cross-entropy, forward and backward. Every row subtracts its
/// maximum before exponentiating, so large logits never overflow. The cross-entropy kernels are
/// fused: one pass writes each row's loss and its gradient <c>scale·(softmax − target)</c>, so
/// probabilities are never stored.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// loss[r] = logsumexp(x[r]) − x[r, label[r]]; dx[r, j] = scale·(softmax(x[r])[j] − [j = label[r]]).
    /// x and dx are (rows, cols), labels and loss are (rows).
    /// </summary>
    internal static void Sparse(Tensor logits, Labels labels, Tensor loss, Tensor dlogits, float scale)
    {
        using var scope = loss.Device.Lock();
        if (logits.Device.UsesHostKernels)
        {
            HostSoftmaxCrossEntropy.Sparse(logits, labels, loss, dlogits, scale);
            return;
        }

        var device = logits.Device;
        var launch = device.Kernel(SparseKernel, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, float>(SparseKernel));
        launch(Launch.RowGroups(device, logits.RowCount, logits.ColumnCount),
            logits.View, labels.View, loss.View, dlogits.View, logits.RowCount, logits.ColumnCount, scale);
    }

    /// <summary>
    /// loss[r] = Σⱼ t[r, j]·(logsumexp(x[r]) − x[r, j]); dx[r, j] = scale·(softmax(x[r])[j]·Σⱼ t[r, j] − t[r, j]).
    /// x, t and dx are (rows, cols), loss is (rows). Targets need not be one-hot (label smoothing works).
    /// </summary>
    internal static void Dense(Tensor logits, Tensor targets, Tensor loss, Tensor dlogits, float scale)
    {
        using var scope = loss.Device.Lock();
        if (logits.Device.UsesHostKernels)
        {
            HostSoftmaxCrossEntropy.Dense(logits, targets, loss, dlogits, scale);
            return;
        }

        var device = logits.Device;
        var launch = device.Kernel(DenseKernel, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float>(DenseKernel));
        launch(Launch.RowGroups(device, logits.RowCount, logits.ColumnCount),
            logits.View, targets.View, loss.View, dlogits.View, logits.RowCount, logits.ColumnCount, scale);
    }

    /// <summary>y[r, j] = x[r, j] − logsumexp(x[r]). x and y are (rows, cols).</summary>
    internal static void LogSoftmax(Tensor x, Tensor y)
    {
        using var scope = y.Device.Lock();
        if (x.Device.UsesHostKernels)
        {
            HostSoftmaxCrossEntropy.LogSoftmax(x, y);
            return;
        }

        var device = x.Device;
        var launch = device.Kernel(LogSoftmaxKernel, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, int, int>(LogSoftmaxKernel));
        launch(Launch.RowGroups(device, x.RowCount, x.ColumnCount), x.View, y.View, x.RowCount, x.ColumnCount);
    }

    /// <summary>dx[r, j] = dy[r, j] − exp(y[r, j])·Σⱼ dy[r, j], where y = log-softmax(x). All (rows, cols).</summary>
    internal static void LogSoftmaxBackward(Tensor dy, Tensor y, Tensor dx)
    {
        using var scope = dx.Device.Lock();
        if (dy.Device.UsesHostKernels)
        {
            HostSoftmaxCrossEntropy.LogSoftmaxBackward(dy, y, dx);
            return;
        }

        var device = dy.Device;
        var launch = device.Kernel(LogSoftmaxBackwardKernel, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(LogSoftmaxBackwardKernel));
        launch(Launch.RowGroups(device, y.RowCount, y.ColumnCount), dy.View, y.View, dx.View, y.RowCount, y.ColumnCount);
    }

    /// <summary>y[r, j] = g[r]·x[r, j]: the per-example loss gradient applied to stored dlogits. x, y are (rows, cols), g is (rows).</summary>
    internal static void ScaleRows(Tensor x, Tensor g, Tensor y)
    {
        using var scope = y.Device.Lock();
        if (x.Device.UsesHostKernels)
        {
            HostSoftmaxCrossEntropy.ScaleRows(x, g, y);
            return;
        }

        var device = x.Device;
        var launch = device.Kernel(ScaleRowsKernel, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(ScaleRowsKernel));
        launch(Launch.GridStride(device, x.Length), x.View, g.View, y.View, x.Length, x.ColumnCount);
    }

    private static void SparseKernel(
        ArrayView<float> x, ArrayView<int> labels, ArrayView<float> loss, ArrayView<float> dx, int rows, int cols, float scale)
    {
        var scratch = SharedMemory.Allocate<float>(Launch.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int start = row * cols;
            // Read the label's logit before the reductions' barriers: dx may alias x (TrainStep writes
            // dlogits over the logits), and after the barriers another thread may have overwritten it.
            int label = labels[row];
            float picked = x[start + label];
            float max = RowMax(x, start, cols, scratch, thread, groupSize);
            float sum = RowSumExp(x, start, cols, max, scratch, thread, groupSize);
            float inverse = 1f / sum;
            for (int j = thread; j < cols; j += groupSize)
            {
                float p = XMath.Exp(x[start + j] - max) * inverse;
                dx[start + j] = scale * (j == label ? p - 1f : p);
            }

            if (thread == 0)
            {
                loss[row] = max + XMath.Log(sum) - picked;
            }
        }
    }

    private static void DenseKernel(
        ArrayView<float> x, ArrayView<float> t, ArrayView<float> loss, ArrayView<float> dx, int rows, int cols, float scale)
    {
        var scratch = SharedMemory.Allocate<float>(Launch.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int start = row * cols;
            float max = RowMax(x, start, cols, scratch, thread, groupSize);
            float sum = RowSumExp(x, start, cols, max, scratch, thread, groupSize);
            float targetSum = 0f;
            float targetDot = 0f;
            for (int j = thread; j < cols; j += groupSize)
            {
                targetSum += t[start + j];
                targetDot += t[start + j] * x[start + j];
            }

            targetSum = GroupReduce.Sum(scratch, targetSum, thread, groupSize);
            targetDot = GroupReduce.Sum(scratch, targetDot, thread, groupSize);
            float inverse = 1f / sum;
            for (int j = thread; j < cols; j += groupSize)
            {
                float p = XMath.Exp(x[start + j] - max) * inverse;
                dx[start + j] = scale * ((p * targetSum) - t[start + j]);
            }

            if (thread == 0)
            {
                loss[row] = ((max + XMath.Log(sum)) * targetSum) - targetDot;
            }
        }
    }

    private static void LogSoftmaxKernel(ArrayView<float> x, ArrayView<float> y, int rows, int cols)
    {
        var scratch = SharedMemory.Allocate<float>(Launch.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int start = row * cols;
            float max = RowMax(x, start, cols, scratch, thread, groupSize);
            float logSum = max + XMath.Log(RowSumExp(x, start, cols, max, scratch, thread, groupSize));
            for (int j = thread; j < cols; j += groupSize)
            {
                y[start + j] = x[start + j] - logSum;
            }
        }
    }

    private static void LogSoftmaxBackwardKernel(ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dx, int rows, int cols)
    {
        var scratch = SharedMemory.Allocate<float>(Launch.MaxRowGroup);
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int gridStride = Grid.DimX;
        for (int row = Grid.IdxX; row < rows; row += gridStride)
        {
            int start = row * cols;
            float partial = 0f;
            for (int j = thread; j < cols; j += groupSize)
            {
                partial += dy[start + j];
            }

            float total = GroupReduce.Sum(scratch, partial, thread, groupSize);
            for (int j = thread; j < cols; j += groupSize)
            {
                dx[start + j] = dy[start + j] - (XMath.Exp(y[start + j]) * total);
            }
        }
    }

    private static void ScaleRowsKernel(ArrayView<float> x, ArrayView<float> g, ArrayView<float> y, int n, int cols)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = g[i / cols] * x[i];
        }
    }

    private static float RowMax(ArrayView<float> x, int start, int cols, ArrayView<float> scratch, int thread, int groupSize)
    {
        float max = float.NegativeInfinity;
        for (int j = thread; j < cols; j += groupSize)
        {
            max = XMath.Max(max, x[start + j]);
        }

        return GroupReduce.Max(scratch, max, thread, groupSize);
    }

    private static float RowSumExp(
        ArrayView<float> x, int start, int cols, float max, ArrayView<float> scratch, int thread, int groupSize)
    {
        float sum = 0f;
        for (int j = thread; j < cols; j += groupSize)
        {
            sum += XMath.Exp(x[start + j] - max);
        }

        return GroupReduce.Sum(scratch, sum, thread, groupSize);
    }
}

using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace GradientDescent;

/// <summary>
/// Row-wise log-softmax and softmax cross-entropy, forward and backward. Every row subtracts its
/// maximum before exponentiating, so large logits never overflow. The cross-entropy kernels are
/// fused: one pass writes each row's loss and, when asked, its gradient <c>scale·(softmax − target)</c>,
/// so probabilities are never stored.
/// </summary>
internal static partial class SoftmaxKernels
{
    /// <summary>
    /// loss[r] = logsumexp(x[r]) − x[r, label[r]]; dx[r, j] = scale·(softmax(x[r])[j] − [j = label[r]]) when dx is given.
    /// x and dx are (rows, cols), labels and loss are (rows); dx may be x.
    /// </summary>
    internal static void Sparse(Tensor logits, Labels labels, Tensor loss, Tensor? dlogits, float scale)
    {
        using var launch = loss.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostSparse(logits, labels, loss, dlogits, scale);
            return;
        }

        // Without a gradient the kernel gets the logits as a dummy dx view and never writes it.
        launch.Run(LaunchShape.Rows(logits.RowCount, logits.ColumnCount), SparseKernel,
            logits.View, labels.View, loss.View, (dlogits ?? logits).View, logits.RowCount, logits.ColumnCount, scale, dlogits is null ? 0 : 1);
    }

    /// <summary>
    /// loss[r] = Σⱼ t[r, j]·(logsumexp(x[r]) − x[r, j]); dx[r, j] = scale·(softmax(x[r])[j]·Σⱼ t[r, j] − t[r, j]) when dx is given.
    /// x, t and dx are (rows, cols), loss is (rows). Targets need not be one-hot (label smoothing works).
    /// </summary>
    internal static void Dense(Tensor logits, Tensor targets, Tensor loss, Tensor? dlogits, float scale)
    {
        using var launch = loss.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostDense(logits, targets, loss, dlogits, scale);
            return;
        }

        launch.Run(LaunchShape.Rows(logits.RowCount, logits.ColumnCount), DenseKernel,
            logits.View, targets.View, loss.View, (dlogits ?? logits).View, logits.RowCount, logits.ColumnCount, scale, dlogits is null ? 0 : 1);
    }

    /// <summary>y[r, j] = x[r, j] − logsumexp(x[r]). x and y are (rows, cols).</summary>
    internal static void LogSoftmax(Tensor x, Tensor y)
    {
        using var launch = y.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostLogSoftmax(x, y);
            return;
        }

        launch.Run(LaunchShape.Rows(x.RowCount, x.ColumnCount), LogSoftmaxKernel, x.View, y.View, x.RowCount, x.ColumnCount);
    }

    /// <summary>dx[r, j] = dy[r, j] − exp(y[r, j])·Σⱼ dy[r, j], where y = log-softmax(x). All (rows, cols).</summary>
    internal static void LogSoftmaxBackward(Tensor dy, Tensor y, Tensor dx)
    {
        using var launch = dx.Device.Kernels.Begin();
        if (launch.OnHost)
        {
            HostLogSoftmaxBackward(dy, y, dx);
            return;
        }

        launch.Run(LaunchShape.Rows(y.RowCount, y.ColumnCount), LogSoftmaxBackwardKernel,
            dy.View, y.View, dx.View, y.RowCount, y.ColumnCount);
    }

    private static void SparseKernel(
        ArrayView<float> x, ArrayView<int> labels, ArrayView<float> loss, ArrayView<float> dx, int rows, int cols, float scale, int hasGradient)
    {
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
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
            for (int j = thread; j < cols && hasGradient != 0; j += groupSize)
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
        ArrayView<float> x, ArrayView<float> t, ArrayView<float> loss, ArrayView<float> dx, int rows, int cols, float scale, int hasGradient)
    {
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
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
            for (int j = thread; j < cols && hasGradient != 0; j += groupSize)
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
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
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
        var scratch = SharedMemory.Allocate<float>(LaunchShape.MaxRowGroup);
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

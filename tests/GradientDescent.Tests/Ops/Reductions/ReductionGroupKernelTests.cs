using ILGPU;
using ILGPU.Runtime;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The row, column, argmax and correct-prediction kernels launched as on a GPU (32- to 256-thread groups combining
/// through shared memory, fewer groups than rows or column tiles, so the grid-stride loops run too), on
/// <see cref="TestDevices.GpuKernels"/>: the tree reductions the CPU launch shape (one-thread groups) never runs.
/// </summary>
/// <remarks>
/// Sums: γ(n)·Σ|x| per result (<see cref="Tolerance.Accumulation"/>). Maxima, argmax and flags: exact, with a NaN placed
/// in an odd lane (a tree that drops a lane, or a combine that lets a number beat NaN, shows there) and ties everywhere.
/// </remarks>
[TestFixture]
public sealed class ReductionGroupKernelTests
{
    [TestCase(3, 13, 32)]
    [TestCase(5, 64, 64)]
    [TestCase(3, 300, 256)]
    [TestCase(2, 1500, 256)]
    public void RowsKernel_SumAndMax_MatchReference(int rows, int cols, int group)
    {
        var device = TestDevices.GpuKernels;
        var random = new Random(161);
        var x = RandomArrays.Normal(random, rows * cols).Select(v => v + 0.5f).ToArray();
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var sum = Tensor.Constant(device, float.NaN, rows);
        using var max = Tensor.Constant(device, float.NaN, rows);
        var withNaN = (float[])x.Clone();
        withNaN[cols + Math.Min(1, cols - 1)] = float.NaN;   // row 1, column 1
        using var tn = Tensor.FromArray(device, withNaN, rows, cols);
        var config = new KernelConfig(2, group);

        Load(device, "RowsKernel", typeof(SumReduction))(config, tx.View, sum.View, rows, cols);
        Load(device, "RowsKernel", typeof(MaxReduction))(config, tn.View, max.View, rows, cols);

        var (xd, nd) = (x.ToDouble(), withNaN.ToDouble());
        var bounds = ReferenceOps.AbsSumAxis(xd, rows, cols, alongRows: true).Select(s => Tolerance.Accumulation(cols) * s).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(sum.ToArray(), ReferenceOps.ReduceAxis(ReductionKind.Sum, xd, rows, cols, alongRows: true), bounds, "row sums");
            Assert.That(max.ToArray(), Is.EqualTo(ReferenceOps.ReduceAxis(ReductionKind.Max, nd, rows, cols, alongRows: true).Select(v => (float)v)), "row maxima");
            Assert.That(max.ToArray()[1], Is.NaN, "row 1 holds a NaN");
        }
    }

    [TestCase(13, 3, 32, 1)]
    [TestCase(300, 70, 256, 2)]
    [TestCase(1000, 5, 64, 1)]
    [TestCase(7, 40, 256, 1)]
    public void ColumnsKernel_SumAndMax_MatchReference(int rows, int cols, int group, int groups)
    {
        var device = TestDevices.GpuKernels;
        var random = new Random(162);
        var x = RandomArrays.Normal(random, rows * cols).Select(v => v + 0.5f).ToArray();
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var sum = Tensor.Constant(device, float.NaN, cols);
        using var max = Tensor.Constant(device, float.NaN, cols);
        var withNaN = (float[])x.Clone();
        withNaN[(Math.Min(3, rows - 1) * cols) + 1] = float.NaN;   // column 1, row 3 (lane 3 of 8)
        using var tn = Tensor.FromArray(device, withNaN, rows, cols);
        // Fewer groups than 32-column tiles where cols > 32: the tiles take the grid-stride loop.
        var config = new KernelConfig(groups, group);

        Load(device, "ColumnsKernel", typeof(SumReduction))(config, tx.View, sum.View, rows, cols);
        Load(device, "ColumnsKernel", typeof(MaxReduction))(config, tn.View, max.View, rows, cols);

        var (xd, nd) = (x.ToDouble(), withNaN.ToDouble());
        var bounds = ReferenceOps.AbsSumAxis(xd, rows, cols, alongRows: false).Select(s => Tolerance.Accumulation(rows) * s).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Close.Assert(sum.ToArray(), ReferenceOps.ReduceAxis(ReductionKind.Sum, xd, rows, cols, alongRows: false), bounds, "column sums");
            Assert.That(max.ToArray(), Is.EqualTo(ReferenceOps.ReduceAxis(ReductionKind.Max, nd, rows, cols, alongRows: false).Select(v => (float)v)), "column maxima");
            Assert.That(max.ToArray()[1], Is.NaN, "column 1 holds a NaN");
        }
    }

    [TestCase(5, 13, 32)]
    [TestCase(6, 64, 64)]
    [TestCase(4, 300, 256)]
    public void ArgMaxAndCorrectKernels_NaNWins_FirstIndexOnTies(int rows, int cols, int group)
    {
        var device = TestDevices.GpuKernels;
        var random = new Random(163);
        // Small integers (ties in every row); row 1 gets NaNs in two odd lanes (the first must win), row 2 a −0 and a
        // +0 as its only maxima (they tie: the first wins), row 3 is all −∞.
        var x = Enumerable.Range(0, rows * cols).Select(_ => (float)random.Next(-2, 3)).ToArray();
        x[cols + 3] = float.NaN;
        x[cols + cols - 2] = float.NaN;
        Array.Fill(x, -5f, 2 * cols, cols);
        x[(2 * cols) + 5] = -0f;
        x[(2 * cols) + 9] = 0f;
        Array.Fill(x, float.NegativeInfinity, 3 * cols, cols);
        var expected = ReferenceOps.ArgMax(x.ToDouble(), rows, cols);
        var labels = expected.Select((a, r) => r % 2 == 0 ? a : (a + 1) % cols).ToArray();
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var index = Labels.FromArray(device, new int[rows], cols);
        using var tl = Labels.FromArray(device, labels, cols);
        using var correct = Tensor.Constant(device, float.NaN, rows);
        var config = new KernelConfig(2, group);

        var argMax = GpuLaunch.Find<Action<ArrayView<float>, ArrayView<int>, int, int>>(typeof(ReductionKernels), "ArgMaxKernel");
        device.Kernels.Load(argMax, static (a, k) => a.LoadStreamKernel(k))(config, tx.View, index.View, rows, cols);
        var flags = GpuLaunch.Find<Action<ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>>(typeof(ReductionKernels), "CorrectKernel");
        device.Kernels.Load(flags, static (a, k) => a.LoadStreamKernel(k))(config, tx.View, tl.View, correct.View, rows, cols);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected[1..4], Is.EqualTo(new[] { 3, 5, 0 }), "the reference's order");
            Assert.That(index.ToArray(), Is.EqualTo(expected), "argmax");
            Assert.That(correct.ToArray(), Is.EqualTo(labels.Select((l, r) => l == expected[r] ? 1f : 0f)), "correct flags");
        }
    }

    private static Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int> Load(ComputeDevice device, string name, Type reduction)
    {
        var kernel = GpuLaunch.Find<Action<ArrayView<float>, ArrayView<float>, int, int>>(typeof(ReductionKernels), name, reduction);
        return device.Kernels.Load(kernel, static (a, k) => a.LoadStreamKernel(k));
    }
}

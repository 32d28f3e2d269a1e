using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>The host kernels' column sums (the bias gradients of the training step, <c>Ops.Sum(x, axis: 0)</c>): their order of summation.</summary>
[TestFixture]
public sealed class HostColumnSumTests
{
    /// <summary>
    /// Column sums on the host are the row-order float sums, bit for bit (row 0, + row 1, + row 2, …), whatever
    /// the core count and however the kernel groups rows and columns: widths below, at and past a vector, the
    /// net's 100 and 10, row counts that leave 0–3 rows after the four-row passes.
    /// </summary>
    [TestCase(1, 1)]
    [TestCase(2, 7)]
    [TestCase(5, 9)]
    [TestCase(7, 8)]
    [TestCase(37, 10)]
    [TestCase(64, 100)]
    [TestCase(1001, 100)]
    [TestCase(8000, 10)]
    [TestCase(6, 300)]
    public void ColumnSum_OnTheHost_IsTheRowOrderSum_BitForBit(int rows, int cols)
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host });
        var x = RandomArrays.Normal(new Random(rows + cols), rows * cols);
        using var tx = Tensor.FromArray(device, x, rows, cols);
        using var y = Ops.ColumnSum(tx);
        using var axis0 = Ops.Sum(tx, axis: 0);

        var expected = new float[cols];
        for (int j = 0; j < cols; j++)
        {
            float acc = x[j];
            for (int r = 1; r < rows; r++)
            {
                acc += x[(r * cols) + j];
            }

            expected[j] = acc;
        }

        Assert.That(y.ToArray(), Is.EqualTo(expected));
        Assert.That(axis0.ToArray(), Is.EqualTo(expected));
    }
}

using NUnit.Framework;
using static GradientDescent.Tests.Reference.ReferenceOps;

namespace GradientDescent.Tests.Reference;

/// <summary>
/// The reference forwards on hand-computed values. Finite differences only show that a backward matches its
/// forward; these show that the forwards themselves compute the documented functions.
/// </summary>
[TestFixture]
public sealed class ReferenceOpsTests
{
    private const double Exact = 1e-12;

    [Test]
    public void MatMul_HandComputed()
    {
        double[] a = [1, 2, 3, 4, 5, 6];       // (2, 3)
        double[] b = [7, 8, 9, 10, 11, 12];    // (3, 2)

        Assert.That(MatMul(a, false, b, false, 2, 3, 2), Is.EqualTo(new double[] { 58, 64, 139, 154 }));
    }

    [TestCaseSource(typeof(ReferenceGradientTests), nameof(ReferenceGradientTests.Transposes))]
    public void MatMul_TransposeFlags_EqualExplicitTransposes(bool transposeA, bool transposeB)
    {
        const int m = 2, k = 3, n = 4;
        var random = new Random(1);
        var opA = RandomArrays.Normal(random, m * k).ToDouble();
        var opB = RandomArrays.Normal(random, k * n).ToDouble();
        var a = transposeA ? Transpose(opA, m, k) : opA;
        var b = transposeB ? Transpose(opB, k, n) : opB;
        var g = RandomArrays.Normal(random, m * n).ToDouble();

        var (da, db) = MatMulBackward(a, transposeA, b, transposeB, g, m, k, n);
        var (dOpA, dOpB) = MatMulBackward(opA, false, opB, false, g, m, k, n);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(MatMul(a, transposeA, b, transposeB, m, k, n), Is.EqualTo(MatMul(opA, false, opB, false, m, k, n)));
            Assert.That(da, Is.EqualTo(transposeA ? Transpose(dOpA, m, k) : dOpA));
            Assert.That(db, Is.EqualTo(transposeB ? Transpose(dOpB, k, n) : dOpB));
        }
    }

    [Test]
    public void AddBias_Relu_HandComputed()
    {
        double[] x = [1, -2, 0.5, -0.5];   // (2, 2)
        double[] b = [-1, 0.5];            // (2)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(AddBias(x, b, 2, 2), Is.EqualTo(new[] { 0, -1.5, -0.5, 0 }));
            Assert.That(AddBiasRelu(x, b, 2, 2), Is.EqualTo(new[] { 0, 0, 0, 0.0 }));
            Assert.That(Relu(x), Is.EqualTo(new[] { 1, 0, 0.5, 0 }));
        }
    }

    [Test]
    public void Relu_Backward_IsZeroAtTheKink()
    {
        double[] x = [-1, 0, -0.0, 2];
        double[] g = [10, 20, 30, 40];

        Assert.That(ReluBackward(x, g), Is.EqualTo(new double[] { 0, 0, 0, 40 }));
    }

    [Test]
    public void LogSoftmax_HandComputed()
    {
        double[] x = [0, Math.Log(3), 5];   // (1, 3)

        var y = LogSoftmax(x, 1, 3);
        double lse = Math.Log(1 + 3 + Math.Exp(5));

        Assert.That(y, Is.EqualTo(new[] { -lse, Math.Log(3) - lse, 5 - lse }).Within(Exact));
    }

    [Test]
    public void LogSoftmax_LargeLogits_AreStable()
    {
        double[] x = [1000, 1000, -1000, -1000, 1000, 1000];   // (2, 3)

        var y = LogSoftmax(x, 2, 3);

        Assert.That(y, Is.EqualTo(new[] { -Math.Log(2), -Math.Log(2), -2000 - Math.Log(2), -2000 - Math.Log(2), -Math.Log(2), -Math.Log(2) })
            .Within(Exact));
    }

    [Test]
    public void SoftmaxCrossEntropy_IsMinusLogSoftmaxAtTheLabel_AndDenseOneHotEqualsSparse()
    {
        const int rows = 3, cols = 4;
        var random = new Random(2);
        var x = RandomArrays.Normal(random, rows * cols, 3).ToDouble();
        int[] labels = [2, 0, 3];
        var logp = LogSoftmax(x, rows, cols);
        var g = RandomArrays.Normal(random, rows).ToDouble();

        var sparse = SoftmaxCrossEntropy(x, labels, rows, cols);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sparse, Is.EqualTo(labels.Select((l, r) => -logp[(r * cols) + l])).Within(Exact));
            Assert.That(SoftmaxCrossEntropy(x, OneHot(labels, cols), rows, cols), Is.EqualTo(sparse).Within(Exact));
            Assert.That(SoftmaxCrossEntropyBackward(x, OneHot(labels, cols), g, rows, cols),
                Is.EqualTo(SoftmaxCrossEntropyBackward(x, labels, g, rows, cols)).Within(Exact));
            Assert.That(Softmax(x, rows, cols).Chunk(cols).Select(row => row.Sum()), Has.All.EqualTo(1).Within(Exact));
        }
    }

    [Test]
    public void SoftmaxCrossEntropy_OneClass_IsZeroWithZeroGradient()
    {
        double[] x = [7, -1000];   // (2, 1)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(SoftmaxCrossEntropy(x, [0, 0], 2, 1), Is.EqualTo(new double[] { 0, 0 }));
            Assert.That(SoftmaxCrossEntropyBackward(x, [0, 0], [1.5, -2], 2, 1), Is.EqualTo(new double[] { 0, 0 }));
        }
    }

    [Test]
    public void Reductions_HandComputed()
    {
        double[] x = [1, 2, 3, 4, 5, 6];   // (2, 3)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sum(x), Is.EqualTo(21));
            Assert.That(Mean(x), Is.EqualTo(3.5));
            Assert.That(ColumnSum(x, 2, 3), Is.EqualTo(new double[] { 5, 7, 9 }));
            Assert.That(ColumnSumBackward([1, 2, 3], 2), Is.EqualTo(new double[] { 1, 2, 3, 1, 2, 3 }));
            Assert.That(MeanBackward(3, 6), Is.EqualTo(Enumerable.Repeat(0.5, 6)));
        }
    }

    [Test]
    public void ArgMax_Ties_TakeTheFirst_AndAccuracyCountsMatches()
    {
        double[] x = [1, 3, 3, 0, 5, 5, 5, 5, -2, -1, -1, -3];   // (3, 4)

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ArgMax(x, 3, 4), Is.EqualTo(new[] { 1, 0, 1 }));
            Assert.That(Accuracy(x, [1, 1, 1], 3, 4), Is.EqualTo(2.0 / 3));
        }
    }

    [Test]
    public void Elementwise_And_Sgd_HandComputed()
    {
        double[] a = [1, -2, 3];
        double[] b = [0.5, 0.25, -1];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Add(a, b), Is.EqualTo(new[] { 1.5, -1.75, 2 }));
            Assert.That(Subtract(a, b), Is.EqualTo(new[] { 0.5, -2.25, 4 }));
            Assert.That(Scale(a, -2), Is.EqualTo(new double[] { -2, 4, -6 }));
            Assert.That(SgdUpdate(a, b, 0.5), Is.EqualTo(new[] { 0.75, -2.125, 3.5 }));
        }
    }
}

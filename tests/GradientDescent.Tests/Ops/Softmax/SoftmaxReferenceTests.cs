using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the log-softmax and softmax cross-entropy: the forwards on hand-computed values (finite differences only show
/// that a backward matches its forward; these show that the forwards compute the documented functions), and
/// every backward against float64 central finite differences (<see cref="FiniteDifferences"/>).
/// </summary>
[TestFixture]
public sealed class SoftmaxReferenceTests
{
    private const double Exact = 1e-12;

    [Test]
    public void LogSoftmax_Backward_MatchesFiniteDifferences()
    {
        const int rows = 3, cols = 5;
        var random = new Random(15);
        var x = Normal(random, rows * cols, std: 2);
        var g = Normal(random, rows * cols);

        Check("dx", v => LogSoftmax(v, rows, cols), x, g, LogSoftmaxBackward(x, g, rows, cols));
    }

    [Test]
    public void SoftmaxCrossEntropy_Sparse_Backward_MatchesFiniteDifferences()
    {
        const int rows = 4, cols = 6;
        var random = new Random(16);
        var x = Normal(random, rows * cols, std: 2);
        var labels = RandomArrays.Labels(random, rows, cols);
        var g = Normal(random, rows);

        Check("dlogits", v => SoftmaxCrossEntropy(v, labels, rows, cols), x, g,
            SoftmaxCrossEntropyBackward(x, labels, g, rows, cols));
    }

    [TestCase(true, TestName = "{m}(soft targets)")]
    [TestCase(false, TestName = "{m}(one-hot targets)")]
    public void SoftmaxCrossEntropy_Dense_Backward_MatchesFiniteDifferences(bool soft)
    {
        const int rows = 4, cols = 6;
        var random = new Random(17);
        var x = Normal(random, rows * cols, std: 2);
        var targets = soft
            ? RandomArrays.Distributions(random, rows, cols).ToDouble()
            : OneHot(RandomArrays.Labels(random, rows, cols), cols);
        var g = Normal(random, rows);

        Check("dlogits", v => SoftmaxCrossEntropy(v, targets, rows, cols), x, g,
            SoftmaxCrossEntropyBackward(x, targets, g, rows, cols));
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
}

using System.Globalization;
using System.Text;
using NUnit.Framework;
using static GradientDescent.Tests.Reference.ReferenceOps;

namespace GradientDescent.Tests.Reference;

/// <summary>
/// Every reference backward against float64 central finite differences of its own forward, so the oracle the
/// kernels are compared with is itself verified.
/// </summary>
/// <remarks>
/// For an op f with upstream weights g, the scalar φ(x) = Σᵢ gᵢ·f(x)ᵢ has ∂φ/∂xⱼ = backward(g)ⱼ. The step
/// h = 1e-6·max(1, |xⱼ|) keeps the truncation error h²·|φ'''|/6 near 1e-13 and the rounding error
/// ε·|φ|/h near 1e-10·|φ| (ε = 2.2e-16), both far below the tolerance
/// |analytic − numeric| ≤ 1e-6·max(1, |analytic|, |numeric|): relative where gradients are large,
/// absolute near zero, where a relative error means nothing. ReLU inputs are kept ≥ 0.1 from the kink.
/// </remarks>
[TestFixture]
public sealed class ReferenceGradientTests
{
    private const double Tolerance = 1e-6;

    public static IEnumerable<TestCaseData> Transposes() =>
        from ta in new[] { false, true }
        from tb in new[] { false, true }
        select new TestCaseData(ta, tb).SetArgDisplayNames(ta ? "aT" : "a", tb ? "bT" : "b");

    [TestCaseSource(nameof(Transposes))]
    public void MatMul_Backward_MatchesFiniteDifferences(bool transposeA, bool transposeB)
    {
        const int m = 3, k = 4, n = 5;
        var random = new Random(11);
        var a = Normal(random, m * k);
        var b = Normal(random, k * n);
        var g = Normal(random, m * n);

        var (da, db) = MatMulBackward(a, transposeA, b, transposeB, g, m, k, n);

        using (Assert.EnterMultipleScope())
        {
            Check("dA", x => MatMul(x, transposeA, b, transposeB, m, k, n), a, g, da);
            Check("dB", x => MatMul(a, transposeA, x, transposeB, m, k, n), b, g, db);
        }
    }

    [Test]
    public void AddBias_Backward_MatchesFiniteDifferences()
    {
        const int rows = 4, cols = 3;
        var random = new Random(12);
        var x = Normal(random, rows * cols);
        var b = Normal(random, cols);
        var g = Normal(random, rows * cols);

        var (dx, db) = AddBiasBackward(g, rows, cols);

        using (Assert.EnterMultipleScope())
        {
            Check("dx", v => AddBias(v, b, rows, cols), x, g, dx);
            Check("db", v => AddBias(x, v, rows, cols), b, g, db);
        }
    }

    [Test]
    public void Relu_Backward_MatchesFiniteDifferences()
    {
        var random = new Random(13);
        var x = RandomArrays.AwayFromZero(random, 20).ToDouble();
        var g = Normal(random, 20);

        Check("dx", Relu, x, g, ReluBackward(x, g));
    }

    [Test]
    public void AddBiasRelu_Backward_MatchesFiniteDifferences()
    {
        const int rows = 5, cols = 4;
        var random = new Random(14);
        var b = Normal(random, cols);
        // x = z − b with |z| ≥ 0.1, so x + b stays away from the kink for both x and b perturbed by h.
        var z = RandomArrays.AwayFromZero(random, rows * cols).ToDouble();
        var x = new double[rows * cols];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = z[i] - b[i % cols];
        }

        var g = Normal(random, rows * cols);
        var (dx, db) = AddBiasReluBackward(x, b, g, rows, cols);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(dx.Count(v => v == 0), Is.InRange(1, x.Length - 1), "both sides of the kink are exercised");
            Check("dx", v => AddBiasRelu(v, b, rows, cols), x, g, dx);
            Check("db", v => AddBiasRelu(x, v, rows, cols), b, g, db);
        }
    }

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
    public void Sum_Mean_ColumnSum_Backward_MatchFiniteDifferences()
    {
        const int rows = 4, cols = 5;
        var random = new Random(18);
        var x = Normal(random, rows * cols);
        var g = Normal(random, cols);

        using (Assert.EnterMultipleScope())
        {
            Check("Sum dx", v => [Sum(v)], x, [g[0]], SumBackward(g[0], x.Length));
            Check("Mean dx", v => [Mean(v)], x, [g[0]], MeanBackward(g[0], x.Length));
            Check("ColumnSum dx", v => ColumnSum(v, rows, cols), x, g, ColumnSumBackward(g, rows));
        }
    }

    [Test]
    public void Add_Subtract_Scale_Backward_MatchFiniteDifferences()
    {
        var random = new Random(19);
        var a = Normal(random, 12);
        var b = Normal(random, 12);
        var g = Normal(random, 12);
        var (addA, addB) = AddBackward(g);
        var (subA, subB) = SubtractBackward(g);

        using (Assert.EnterMultipleScope())
        {
            Check("Add da", v => Add(v, b), a, g, addA);
            Check("Add db", v => Add(a, v), b, g, addB);
            Check("Subtract da", v => Subtract(v, b), a, g, subA);
            Check("Subtract db", v => Subtract(a, v), b, g, subB);
            Check("Scale dx", v => Scale(v, -2.5), a, g, ScaleBackward(g, -2.5));
        }
    }

    /// <summary>Asserts analytic = ∂(Σ g·f)/∂x by central differences, element by element, reporting the first mismatches.</summary>
    private static void Check(string what, Func<double[], double[]> f, double[] x, double[] g, double[] analytic)
    {
        Assert.That(analytic, Has.Length.EqualTo(x.Length), $"{what}: gradient length");
        var report = new StringBuilder();
        int bad = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[j]));
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[j] += h;
            minus[j] -= h;
            // Divide by the step actually represented, not the nominal 2h.
            double numeric = (Dot(g, f(plus)) - Dot(g, f(minus))) / (plus[j] - minus[j]);
            double error = Math.Abs(analytic[j] - numeric);
            if (!(error <= Tolerance * Math.Max(1, Math.Max(Math.Abs(analytic[j]), Math.Abs(numeric)))))
            {
                if (bad++ < 5)
                {
                    report.Append(CultureInfo.InvariantCulture,
                        $"\n  [{j}] analytic {analytic[j]:G12}, numeric {numeric:G12} (error {error:G3})");
                }
            }
        }

        Assert.That(bad, Is.Zero, $"{what}: {bad} of {x.Length} gradient elements differ from finite differences:{report}");
    }

    private static double Dot(double[] g, double[] y)
    {
        Assert.That(y, Has.Length.EqualTo(g.Length), "upstream weights match the output");
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            sum += g[i] * y[i];
        }

        return sum;
    }

    private static double[] Normal(Random random, int n, double std = 1) => RandomArrays.Normal(random, n, std).ToDouble();
}

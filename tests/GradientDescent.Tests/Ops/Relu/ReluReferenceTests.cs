using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the ReLU and bias operations: the forwards on hand-computed values (finite differences only show
/// that a backward matches its forward; these show that the forwards compute the documented functions), and
/// every backward against float64 central finite differences (<see cref="FiniteDifferences"/>).
/// </summary>
[TestFixture]
public sealed class ReluReferenceTests
{
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
}

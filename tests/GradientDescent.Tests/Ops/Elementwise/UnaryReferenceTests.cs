using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the elementwise functions of one tensor: the forwards on hand-computed values and
/// every backward against float64 central finite differences (<see cref="FiniteDifferences"/>).
/// </summary>
[TestFixture]
public sealed class UnaryReferenceTests
{
    [TestCase(UnaryOp.Exp)]
    [TestCase(UnaryOp.Log)]
    [TestCase(UnaryOp.Negate)]
    [TestCase(UnaryOp.Square)]
    [TestCase(UnaryOp.Sqrt)]
    [TestCase(UnaryOp.Tanh)]
    [TestCase(UnaryOp.Sigmoid)]
    public void Backward_MatchesFiniteDifferences(UnaryOp op)
    {
        var random = new Random(81 + (int)op);
        // Log and sqrt on [0.25, 4], away from their pole at 0; the rest on N(0, 2²), which reaches the flat tails
        // of tanh and the sigmoid.
        var x = op is UnaryOp.Log or UnaryOp.Sqrt
            ? RandomArrays.Uniform(random, 30, 0.25, 4).ToDouble()
            : Normal(random, 30, std: 2);
        var g = Normal(random, 30);

        Check($"{op} dx", v => Unary(op, v), x, g, UnaryBackward(op, x, g));
    }

    [Test]
    public void Forward_HandComputed()
    {
        double[] x = [0, 1, -2];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Unary(UnaryOp.Exp, x), Is.EqualTo(new[] { 1, Math.E, 1 / (Math.E * Math.E) }).Within(1e-15));
            Assert.That(Unary(UnaryOp.Log, [1, Math.E, 0.5]), Is.EqualTo(new[] { 0, 1, -Math.Log(2) }).Within(1e-15));
            Assert.That(Unary(UnaryOp.Negate, x), Is.EqualTo(new double[] { -0.0, -1, 2 }));
            Assert.That(Unary(UnaryOp.Square, x), Is.EqualTo(new double[] { 0, 1, 4 }));
            Assert.That(Unary(UnaryOp.Sqrt, [0, 2.25, 16]), Is.EqualTo(new[] { 0, 1.5, 4 }));
            // tanh 1 = (e² − 1)/(e² + 1); σ(0) = ½, σ(−2) = 1/(1 + e²).
            Assert.That(Unary(UnaryOp.Tanh, x), Is.EqualTo(new[] { 0, (Math.E * Math.E - 1) / (Math.E * Math.E + 1), -0.9640275800758169 }).Within(1e-15));
            Assert.That(Unary(UnaryOp.Sigmoid, x), Is.EqualTo(new[] { 0.5, Math.E / (1 + Math.E), 1 / (1 + (Math.E * Math.E)) }).Within(1e-15));
        }
    }

    [Test]
    public void Backward_HandComputed()
    {
        double[] x = [0, 1, 4];
        double[] g = [2, 2, 2];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(UnaryBackward(UnaryOp.Exp, x, g), Is.EqualTo(new[] { 2, 2 * Math.E, 2 * Math.Exp(4) }).Within(1e-12));
            Assert.That(UnaryBackward(UnaryOp.Square, x, g), Is.EqualTo(new double[] { 0, 4, 16 }));
            Assert.That(UnaryBackward(UnaryOp.Sqrt, [1, 4, 0.25], g), Is.EqualTo(new[] { 1, 0.5, 2 }));
            Assert.That(UnaryBackward(UnaryOp.Log, [1, 4, 0.25], g), Is.EqualTo(new double[] { 2, 0.5, 8 }));
            // tanh′(0) = 1 and σ′(0) = ¼.
            Assert.That(UnaryBackward(UnaryOp.Tanh, [0], [2]), Is.EqualTo(new double[] { 2 }));
            Assert.That(UnaryBackward(UnaryOp.Sigmoid, [0], [2]), Is.EqualTo(new double[] { 0.5 }));
            Assert.That(UnaryBackward(UnaryOp.Negate, x, g), Is.EqualTo(new double[] { -2, -2, -2 }));
        }
    }
}

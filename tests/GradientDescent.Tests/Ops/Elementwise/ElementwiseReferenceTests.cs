using NUnit.Framework;
using static GradientDescent.Tests.FiniteDifferences;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>
/// The float64 reference of the elementwise operations: the forwards on hand-computed values (finite differences only show
/// that a backward matches its forward; these show that the forwards compute the documented functions), and
/// every backward against float64 central finite differences (<see cref="FiniteDifferences"/>).
/// </summary>
[TestFixture]
public sealed class ElementwiseReferenceTests
{
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

    [Test]
    public void Elementwise_HandComputed()
    {
        double[] a = [1, -2, 3];
        double[] b = [0.5, 0.25, -1];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Add(a, b), Is.EqualTo(new[] { 1.5, -1.75, 2 }));
            Assert.That(Subtract(a, b), Is.EqualTo(new[] { 0.5, -2.25, 4 }));
            Assert.That(Scale(a, -2), Is.EqualTo(new double[] { -2, 4, -6 }));
        }
    }
}

using NUnit.Framework;
using static GradientDescent.Tests.ReferenceOps;

namespace GradientDescent.Tests;

/// <summary>The float64 reference of the SGD update on hand-computed values.</summary>
[TestFixture]
public sealed class SgdReferenceTests
{
    [Test]
    public void SgdUpdate_HandComputed()
    {
        double[] w = [1, -2, 3];
        double[] g = [0.5, 0.25, -1];

        Assert.That(SgdUpdate(w, g, 0.5), Is.EqualTo(new[] { 0.75, -2.125, 3.5 }));
    }

    [Test]
    public void TorchSgd_TwoSteps_HandComputed()
    {
        double[] w = [1];
        double[][] g = [[1], [1]];

        using (Assert.EnterMultipleScope())
        {
            // Momentum: v = 1, w = 0.9; then v = 0.9·1 + 1 = 1.9, w = 0.9 − 0.19.
            Assert.That(SgdSteps(w, g, new TorchSgd(0.1, 0.9)).W[0], Is.EqualTo(0.71).Within(1e-15));
            // The first step is not damped (PyTorch clones d): v = 1, w = 0.9; then v = 0.9 + 0.5·1 = 1.4, w = 0.76.
            Assert.That(SgdSteps(w, g, new TorchSgd(0.1, 0.9, 0.5)).W[0], Is.EqualTo(0.76).Within(1e-15));
            // Nesterov: step d + μv = 1.9, w = 0.81; then v = 1.9, step = 1 + 0.9·1.9 = 2.71, w = 0.539.
            Assert.That(SgdSteps(w, g, new TorchSgd(0.1, 0.9, Nesterov: true)).W[0], Is.EqualTo(0.539).Within(1e-15));
            // Weight decay alone: d = 1 + 0.1·1, w = 0.89; then d = 1 + 0.089, w = 0.7811.
            Assert.That(SgdSteps(w, g, new TorchSgd(0.1, WeightDecay: 0.1)).W[0], Is.EqualTo(0.7811).Within(1e-15));
            // Plain: the same as SgdUpdate twice.
            Assert.That(SgdSteps(w, g, new TorchSgd(0.1)).W[0], Is.EqualTo(SgdUpdate(SgdUpdate(w, [1], 0.1), [1], 0.1)[0]));
        }
    }

    [Test]
    public void TorchSgd_ErrorBound_GrowsWithEachRounding()
    {
        // One plain step from w = 1 by lr·g = 0.1: fl(lr·g) and fl(w − ·) round once each.
        var (_, bound) = SgdSteps([1], [[1]], new TorchSgd(0.1));
        var (_, twoSteps) = SgdSteps([1], [[1], [1]], new TorchSgd(0.1, 0.9));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bound[0], Is.EqualTo((0.1 + 0.9) / (1 << 24)).Within(1e-22));
            Assert.That(twoSteps[0], Is.GreaterThan(2 * bound[0]), "momentum carries earlier errors forward");
        }
    }
}

using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// <see cref="SgdStep.Apply"/> against the float64 reference <c>w − lr·g</c>, on both of its paths: one launch
/// per parameter, and one launch over parameters that tile one buffer (as <see cref="TwoLayerNet"/> keeps them).
/// </summary>
/// <remarks>
/// Tolerance: <c>w − fl(lr·g)</c> rounds the product (≤ u·lr·|g|) and the difference (≤ u·|w'|), so
/// atol = 2u·lr·max|g| and rtol = 2u (<see cref="Tolerance.OneRounding"/>); a fused multiply-add only rounds less.
/// </remarks>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class SgdTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    /// <summary>Not exactly representable, so lr·g really rounds.</summary>
    private const float LearningRate = 0.1f;

    public static IEnumerable<TestCaseData> ParameterSets() =>
    [
        new TestCaseData((object)new int[][] { [1] }).SetArgDisplayNames("(1)"),
        new TestCaseData((object)new int[][] { [7, 13], [13], [13, 5], [5] }).SetArgDisplayNames("7x13, 13, 13x5, 5"),
        new TestCaseData((object)new int[][] { [784, 100], [100], [100, 10], [10] }).SetArgDisplayNames("784x100, 100, 100x10, 10"),
    ];

    [TestCaseSource(nameof(ParameterSets))]
    public void Apply_SeparateTensors_MatchesReference(int[][] shapes)
    {
        var device = Device;
        var random = new Random(61);
        var w = shapes.Select(s => RandomArrays.Normal(random, s.Aggregate(1, (p, d) => p * d))).ToArray();
        var g = w.Select(p => RandomArrays.Normal(random, p.Length)).ToArray();
        var parameters = w.Select((p, i) => Tensor.FromArray(device, p, shapes[i])).ToArray();
        var gradients = g.Select((d, i) => Tensor.FromArray(device, d, shapes[i])).ToArray();
        try
        {
            new SgdStep(LearningRate).Apply(parameters, gradients);

            using (Assert.EnterMultipleScope())
            {
                for (int i = 0; i < w.Length; i++)
                {
                    AssertUpdated(parameters[i].ToArray(), w[i], g[i], $"parameter {i}");
                }
            }
        }
        finally
        {
            foreach (var t in parameters.Concat(gradients))
            {
                t.Dispose();
            }
        }
    }

    [TestCase(true, TestName = "{m}(contiguous views: one launch)")]
    [TestCase(false, TestName = "{m}(views with a gap: one launch each)")]
    public void Apply_ViewsOfOneBuffer_UpdateOnlyTheirRows(bool contiguous)
    {
        const int rows = 7, cols = 5;
        var device = Device;
        var random = new Random(62);
        var w = RandomArrays.Normal(random, rows * cols);
        var g = RandomArrays.Normal(random, rows * cols);
        using var buffer = Tensor.FromArray(device, w, rows, cols);
        using var gradientBuffer = Tensor.FromArray(device, g, rows, cols);
        // Parameters rows [1, 3) and [3, 6) (or [4, 6) with a gap); row 0 and the last row are never parameters.
        int secondStart = contiguous ? 3 : 4;
        using var first = buffer.Rows(1, 2);
        using var second = buffer.Rows(secondStart, 6 - secondStart);
        using var firstGradient = gradientBuffer.Rows(1, 2);
        using var secondGradient = gradientBuffer.Rows(secondStart, 6 - secondStart);

        new SgdStep(LearningRate).Apply([second, first], [secondGradient, firstGradient]);

        var expected = w.ToDouble();
        var updated = ReferenceOps.SgdUpdate(w.ToDouble(), g.ToDouble(), LearningRate);
        foreach (int row in Enumerable.Range(1, 2).Concat(Enumerable.Range(secondStart, 6 - secondStart)))
        {
            Array.Copy(updated, row * cols, expected, row * cols, cols);
        }

        // Rows outside the parameters must come back bit for bit; updated rows within the SGD bound.
        Close.Assert(buffer.ToArray(), expected, Tolerance.OneRounding * LearningRate * g.Max(Math.Abs), Tolerance.OneRounding, "buffer");
        Assert.That(buffer.ToArray().Where((_, i) => i / cols is 0 or rows - 1 || i / cols == 3 && !contiguous),
            Is.EqualTo(w.Where((_, i) => i / cols is 0 or rows - 1 || i / cols == 3 && !contiguous)), "rows that are not parameters");
    }

    [Test]
    public void Apply_NullGradient_LeavesItsParameterUnchanged()
    {
        var device = Device;
        var random = new Random(63);
        var w = RandomArrays.Normal(random, 12);
        var v = RandomArrays.Normal(random, 12);
        var g = RandomArrays.Normal(random, 12);
        using var skipped = Tensor.FromArray(device, w, 3, 4);
        using var updated = Tensor.FromArray(device, v, 3, 4);
        using var gradient = Tensor.FromArray(device, g, 3, 4);

        new SgdStep(LearningRate).Apply([skipped, updated], [null, gradient]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(skipped.ToArray(), Is.EqualTo(w));
            AssertUpdated(updated.ToArray(), v, g, "updated");
        }
    }

    private static void AssertUpdated(float[] actual, float[] w, float[] g, string what) =>
        Close.Assert(actual, ReferenceOps.SgdUpdate(w.ToDouble(), g.ToDouble(), LearningRate),
            Tolerance.OneRounding * LearningRate * g.Max(Math.Abs), Tolerance.OneRounding, what);
}

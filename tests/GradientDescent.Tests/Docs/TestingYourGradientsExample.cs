using CustomKernel;
using GradientDescent;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>The complete NUnit test of docs/custom-ops.md ("Testing your gradients"), as a user writes it.</summary>
[TestFixture]
public sealed class LeakyReluNetGradientTests
{
    private ComputeDevice _device = null!;

    [OneTimeSetUp]
    public void CreateDevice() => _device = ComputeDevice.Create();

    [OneTimeTearDown]
    public void DisposeDevice() => _device.Dispose();

    [Test]
    public void LeakyRelu_MatchesFiniteDifferences()
    {
        using var x = Tensor.RandomNormal(_device, [8, 5], seed: 1);
        GradientCheck.Assert(() => Ops.Sum(LeakyRelu.Apply(x)), [x]);   // throws with the report if it fails
    }

    [Test]
    public void Net_MatchesFiniteDifferences()
    {
        using var net = new LeakyReluNet(_device, seed: 2);
        using var x = Tensor.RandomNormal(_device, [32, 784], mean: 0.5f, std: 0.3f, seed: 3);
        using var labels = Labels.FromArray(_device, [.. Enumerable.Range(0, 32).Select(i => i % 10)], classes: 10);
        var result = GradientCheck.Assert(() => net.Loss(x, labels), net.Parameters);
        TestContext.Out.WriteLine(result.Report);   // what was compared, and the kinks left out
    }
}

using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The phase clock of the host path's <see cref="TwoLayerNet.TrainStep"/> (what the benchmarks' <c>phases</c>
/// command prints): one entry per phase in the order the step runs them, one time per step, and no effect on the
/// step's results.
/// </summary>
[TestFixture]
public sealed class StepPhasesTests
{
    [TestCase(true, 10)]
    [TestCase(false, 8)]
    public void EveryPhaseOfEveryStep_IsTimed_AndTheBitsAreThoseOfAnUntimedStep(bool useBias, int phaseCount)
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host });
        var random = new Random(3);
        using var x = Tensor.FromArray(device, RandomArrays.Normal(random, 37 * 784), 37, 784);
        using var labels = Labels.FromArray(device, RandomArrays.Labels(random, 37, 10), 10);
        var options = new TwoLayerNetOptions { UseBias = useBias };
        using var timed = new TwoLayerNet(device, options);
        using var untimed = new TwoLayerNet(device, options);
        var phases = new StepPhases();
        timed.Phases = phases;
        var sgd = new SgdStep(0.1f);

        for (int step = 0; step < 3; step++)
        {
            Assert.That(timed.TrainStep(x, labels, sgd).Item(), Is.EqualTo(untimed.TrainStep(x, labels, sgd).Item()));
        }

        var recorded = phases.Phases.ToList();
        Assert.That(recorded.Select(p => p.Name).ToList(), Has.Count.EqualTo(phaseCount).And.Unique);
        Assert.That(recorded[0].Name, Does.StartWith("h = relu(x·W1"));
        Assert.That(recorded[^1].Name, Is.EqualTo("update"));
        Assert.That(recorded.Select(p => p.Milliseconds.Count), Has.All.EqualTo(3));
        Assert.That(recorded.SelectMany(p => p.Milliseconds), Has.All.GreaterThanOrEqualTo(0));
        Assert.That(timed.W1.ToArray(), Is.EqualTo(untimed.W1.ToArray()));
    }
}

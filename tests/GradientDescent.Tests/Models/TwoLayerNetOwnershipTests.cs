using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Memory is never silently lost and owners are never broken: bad input frees what it allocated (it allocates
/// nothing), a NaN caught by the numeric checks frees the forward pass, and disposing what the network hands out
/// (its parameters, TrainStep's loss) does nothing to it.
/// </summary>
[TestFixtureSource(typeof(TestDevices), nameof(TestDevices.UnderTest))]
public sealed class TwoLayerNetOwnershipTests(DeviceUnderTest deviceUnderTest) : DeviceFixture(deviceUnderTest)
{
    [Test]
    public void Loss_WithLabelsOfAnotherClassCount_ThrowsBeforeAllocating()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 8, Hidden = 5, Classes = 10 });
        using var x = Tensor.Zeros(Device, 64, 8);
        using var labels = Labels.FromArray(Device, new int[64], classes: 3);
        long before = Device.AllocatedBytes;

        Assert.That(() => net.Loss(x, labels), Throws.ArgumentException.With.Message.Contains("3 classes"));
        Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "the forward pass did not run");
    }

    [Test]
    public void Forward_WhoseResultIsNaN_UnderCheckNumerics_FreesItsIntermediates()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2 });
        using var x = Tensor.FromArray(Device, [1f, float.NaN, 0f, 0f], 1, 4);
        long before = Device.AllocatedBytes;
        Device.CheckNumerics = true;
        try
        {
            Assert.That(() => net.Forward(x), Throws.TypeOf<NonFiniteValueException>());
        }
        finally
        {
            Device.CheckNumerics = false;
        }

        Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
    }

    [Test]
    public void UsingTheLossOfTrainStep_DoesNotBreakTheNextStep()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2, Seed = 1 });
        using var x = Tensor.FromArray(Device, [1f, 0f, 0.5f, -1f, 0f, 1f, 2f, 0f], 2, 4);
        // Both labels 0: the bias gradient alone moves the loss, whatever the hidden units do.
        using var labels = Labels.FromArray(Device, [0, 0], classes: 2);
        var sgd = new SgdStep(0.1f);
        float first;
        using (var loss = net.TrainStep(x, labels, sgd))
        {
            first = loss.Item();
        }

        using var again = net.TrainStep(x, labels, sgd);

        Assert.That(again.Item(), Is.LessThan(first), "the net trained on: its loss buffer survived the using");
    }

    [Test]
    public void DisposingAParameter_DoesNothingToTheNetwork()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2, Seed = 2 });
        using var x = Tensor.FromArray(Device, [1f, 2f, 3f, 4f], 1, 4);
        var before = net.Predict(x);

        net.W1.Dispose();
        net.Parameters[^1].Dispose();
        net.Gradients[0].Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.W1.IsDisposed, Is.False);
            Assert.That(net.Predict(x), Is.EqualTo(before));
        }
    }

    [Test]
    public void SizesWhoseParametersOverflowAnArray_AreRefusedByName()
    {
        var options = new TwoLayerNetOptions { Inputs = 50000, Hidden = 50000 };

        Assert.That(() => new TwoLayerNet(Device, options), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("50000 → 50000 → 10").And.Message.Contains("2,500,550,010 parameters"));
    }

    [Test]
    public void ALoadedNetwork_ReportsThatItsWeightsCameFromTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gd-loaded-{Guid.NewGuid():N}.gdm");
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2, Seed = 7 });
        net.Save(path);
        try
        {
            using var loaded = TwoLayerNet.Load(Device, path);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(loaded.Options.Init, Is.EqualTo(WeightInit.Loaded));
                Assert.That(loaded.Options.Seed, Is.Null, "no seed was used");
                Assert.That((loaded.Options.Inputs, loaded.Options.Hidden, loaded.Options.Classes), Is.EqualTo((4, 3, 2)));
                Assert.That(() => new TwoLayerNet(Device, loaded.Options), Throws.TypeOf<ArgumentOutOfRangeException>()
                    .With.Message.Contains("Loaded"), "a new network needs a real initialisation");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void NaNWeights_GiveNoCorrectPredictions()
    {
        // All logits NaN. An argmax that skipped NaN said class 0 for every row, so labels of 0 scored 100%.
        // NaN wins the argmax, as in PyTorch, and a row whose prediction is NaN counts as wrong.
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 2, Hidden = 2, Classes = 3, Seed = 3 });
        using (var poison = Tensor.FromArray(Device, Enumerable.Repeat(float.NaN, net.W2.Length).ToArray(), [.. net.W2.Shape]))
        {
            new SgdStep(1f).Apply([net.W2], [poison]);
        }

        using var x = Tensor.FromArray(Device, [1f, 2f, 3f, 4f], 2, 2);
        using var zeros = Labels.FromArray(Device, [0, 0], classes: 3);
        using var mixed = Tensor.FromArray(Device, [1f, float.NaN, 5f, float.NaN], 1, 4);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.Accuracy(x, zeros), Is.Zero);
            Assert.That(Ops.ArgMax(mixed), Is.EqualTo(new[] { 1 }), "the first NaN wins");
        }
    }
}

using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to TwoLayerNet fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class TwoLayerNetErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void TwoLayerNet_InputOfTheWrongWidth()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 3 });
        using var x = Tensor.Zeros(Device, 4, 19);
        using var labels = Labels.FromArray(Device, [0, 1, 2, 0], 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => net.Forward(x), Throws.ArgumentException.With.Message.Contains("(4, 19)").And.Message.Contains("(n, 20)"));
            Assert.That(() => net.TrainStep(x, labels, new SgdStep(0.1f)), Throws.ArgumentException.With.Message.Contains("(4, 19)"));
            Assert.That(() => net.Predict(x), Throws.ArgumentException.With.Message.Contains("(4, 19)"));
        }
    }

    [Test]
    public void TwoLayerNet_ImagesNotFlattened()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 2, Classes = 2 });
        using var image = Tensor.Zeros(Device, 2, 2);
        using var batch = image.Reshape(1, 2, 2);

        Assert.That(() => net.Forward(batch), Throws.ArgumentException.With.Message.Contains("(1, 2, 2)"));
    }

    [Test]
    public void TwoLayerNet_TrainStepLabelsDoNotMatch()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 5, Hidden = 3, Classes = 3 });
        using var x = Tensor.Zeros(Device, 4, 5);
        using var fewLabels = Labels.FromArray(Device, [0, 1, 2], 3);
        using var moreClasses = Labels.FromArray(Device, [0, 1, 2, 3], 4);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => net.TrainStep(x, fewLabels, new SgdStep(0.1f)), Throws.ArgumentException.With.Message.Contains("got 3 labels"));
            Assert.That(() => net.TrainStep(x, moreClasses, new SgdStep(0.1f)), Throws.ArgumentException.With.Message.Contains("for 4 classes"));
            Assert.That(() => net.Loss(x, fewLabels), Throws.ArgumentException.With.Message.Contains("4 rows"));
        }
    }

    [Test]
    public void TwoLayerNet_ZeroHiddenUnits()
    {
        Assert.That(() => new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("hidden=0"));
    }

    [Test]
    public void TwoLayerNet_AfterDispose()
    {
        var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 3, Hidden = 2, Classes = 2 });
        using var x = Tensor.Zeros(Device, 1, 3);
        net.Dispose();

        Assert.That(() => net.Forward(x), Throws.TypeOf<ObjectDisposedException>());
    }
}

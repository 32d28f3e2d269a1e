using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to GradientTape fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class GradientTapeErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void GradientTape_NonPersistentUsedTwice()
    {
        using var x = Tensor.Zeros(Device, 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Sum(x);
        tape.Gradient(y, x);

        Assert.That(() => tape.Gradient(y, x), Throws.InvalidOperationException.With.Message.Contains("not persistent"));
    }

    [Test]
    public void GradientTape_SourceOnAnotherDevice()
    {
        using var other = ComputeDevice.Create("cpu");
        using var x = Tensor.Zeros(Device, 2);
        using var elsewhere = Tensor.Zeros(other, 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Sum(x);

        Assert.That(() => tape.Gradient(y, elsewhere), Throws.ArgumentException.With.Message.Contains("different devices"));
    }

    [Test]
    public void GradientTape_WatchADisposedTensor()
    {
        var x = Tensor.Zeros(Device, 2);
        x.Dispose();
        using var tape = new GradientTape();

        Assert.That(() => tape.Watch(x), Throws.TypeOf<ObjectDisposedException>());
    }
}

using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to GradientCheck fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class GradientCheckErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void GradientCheck_NonScalarFunction()
    {
        using var x = Tensor.Zeros(Device, 2, 2);

        Assert.That(() => GradientCheck.Run(() => Ops.Scale(x, 2f), [x]), Throws.ArgumentException.With.Message.Contains("(2, 2)"));
    }

    [Test]
    public void GradientCheck_NoSourcesOrBadOptions()
    {
        using var x = Tensor.Zeros(Device, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), []), Throws.ArgumentException.With.Message.Contains("at least one source"));
            foreach (var (options, name) in new (GradientCheckOptions, string)[]
            {
                (new() { Step = 0 }, nameof(GradientCheckOptions.Step)),
                (new() { Step = 0.5 }, nameof(GradientCheckOptions.Step)),
                (new() { AbsoluteTolerance = -1 }, nameof(GradientCheckOptions.AbsoluteTolerance)),
                (new() { RelativeTolerance = double.NaN }, nameof(GradientCheckOptions.RelativeTolerance)),
                (new() { MaxElementsPerSource = 0 }, nameof(GradientCheckOptions.MaxElementsPerSource)),
            })
            {
                Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), [x], options), Throws.TypeOf<ArgumentOutOfRangeException>()
                    .With.Property(nameof(ArgumentOutOfRangeException.ParamName)).EqualTo(name));
            }
        }
    }

    [Test]
    public void GradientCheck_DisposedSource()
    {
        var x = Tensor.Zeros(Device, 2);
        x.Dispose();

        Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), [x]), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("sources[0]"));
    }
}

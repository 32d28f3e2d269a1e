using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad input to ComputeDevice fails at the public boundary, before any kernel launch, with the exception type the
/// docs promise and a message that names the offending shapes and values; nothing stays allocated (the leak
/// check after every test holds that).
/// </summary>
[TestFixture]
public sealed class ComputeDeviceErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [TestCase("cuda")]
    [TestCase("opencl")]
    public void Create_KindNotPresent_ListsWhatIs(string kind)
    {
        var present = ComputeDevice.ListPresent();
        Assume.That(present, Has.None.StartsWith(kind + ":"), $"a {kind} device is present here");

        Assert.That(() => ComputeDevice.Create(kind), Throws.InvalidOperationException
            .With.Message.Contains($"No {kind}:0 device").And.Message.Contains("Present:").And.Message.Contains("cpu:0"));
    }

    [Test]
    public void Create_IndexNotPresent_ListsWhatIs()
    {
        Assert.That(() => ComputeDevice.Create("cpu:7"), Throws.InvalidOperationException
            .With.Message.Contains("No cpu:7 device").And.Message.Contains("cpu:0"));
    }

    [TestCase("tpu")]
    [TestCase("cuda:x")]
    [TestCase("")]
    [TestCase("cuda:1:2")]
    public void Parse_BadSpecification(string text)
    {
        Assert.That(() => ComputeDeviceOptions.Parse(text), Throws.ArgumentException.With.Message.Contains($"'{text}'"));
    }

    [Test]
    public void Create_NoCpuCores()
    {
        Assert.That(() => ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuCores = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("CpuCores"));
    }
}

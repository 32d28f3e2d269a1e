using NUnit.Framework;

namespace GradientDescent.Tests;

[TestFixture]
public sealed class ComputeDeviceTests
{
    public static IEnumerable<TestCaseData> Specifications()
    {
        yield return new TestCaseData("cpu", DeviceKind.Cpu, 0);
        yield return new TestCaseData("CPU", DeviceKind.Cpu, 0);
        yield return new TestCaseData(" cuda ", DeviceKind.Cuda, 0);
        yield return new TestCaseData("cuda:1", DeviceKind.Cuda, 1);
        yield return new TestCaseData("OpenCL:2", DeviceKind.OpenCL, 2);
        yield return new TestCaseData("cpu:0", DeviceKind.Cpu, 0);
    }

    [TestCaseSource(nameof(Specifications))]
    public void Parse_ReadsKindAndIndex(string text, DeviceKind kind, int index)
    {
        var options = ComputeDeviceOptions.Parse(text);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Kind, Is.EqualTo(kind));
            Assert.That(options.Index, Is.EqualTo(index));
        }
    }

    [Test]
    public void Create_Cpu_DescribesItself()
    {
        using var device = ComputeDevice.Create("cpu");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(device.Kind, Is.EqualTo(DeviceKind.Cpu));
            Assert.That(device.Index, Is.Zero);
            Assert.That(device.Name, Is.Not.Empty);
            Assert.That(device.MemorySize, Is.Positive);
            Assert.That(device.AllocatedBytes, Is.Zero);
            Assert.That(device.IsDisposed, Is.False);
            Assert.That(device.ToString(), Does.StartWith("cpu:0 " + device.Name).And.Contain(" GiB"));
        }
    }

    [Test]
    public void Create_WithOptions_UsesThem()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuCores = 1 });

        Assert.That(device.Kind, Is.EqualTo(DeviceKind.Cpu));
    }

    [Test]
    public void ListPresent_HasACpuEntry()
    {
        var present = ComputeDevice.ListPresent();

        Assert.That(present, Has.Some.StartsWith("cpu:0 "));
    }

    [Test]
    public void Dispose_TwiceIsHarmless_ThenTheDeviceRefusesWork()
    {
        var device = ComputeDevice.Create("cpu");

        device.Dispose();
        device.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(device.IsDisposed, Is.True);
            Assert.That(device.Synchronize, Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => Tensor.FromArray(device, [1f], 1), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => Labels.FromArray(device, [0], 2), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void AllocatedBytes_CountsEveryLiveTensor()
    {
        using var device = ComputeDevice.Create("cpu");

        using (var a = Tensor.FromArray(device, new float[10], 10))
        using (var b = Tensor.FromArray(device, new float[6], 2, 3))
        {
            Assert.That(device.AllocatedBytes, Is.EqualTo(16 * sizeof(float)));
        }

        Assert.That(device.AllocatedBytes, Is.Zero);
    }

    [Test]
    public void Shared_IsUsable()
    {
        using var t = Tensor.FromArray(TestDevices.Shared, [1f, 2f], 2);
        TestDevices.Shared.Synchronize();

        Assert.That(t.ToArray(), Is.EqualTo(new[] { 1f, 2f }));
    }
}

/// <summary>Tests that set GRADIENTDESCENT_DEVICE; they restore it and never run beside another test.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ComputeDeviceEnvironmentTests
{
    private string? _saved;

    [SetUp]
    public void Save() => _saved = Environment.GetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, _saved);

    [Test]
    public void Create_WithoutOptions_ReadsTheVariable()
    {
        Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, "cpu");

        using var device = ComputeDevice.Create();

        Assert.That(device.Kind, Is.EqualTo(DeviceKind.Cpu));
    }

    [Test]
    public void Create_ExplicitKind_WinsOverTheVariable()
    {
        Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, "tpu");

        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu });

        Assert.That(device.Kind, Is.EqualTo(DeviceKind.Cpu));
    }

    [TestCase("tpu")]
    [TestCase("cuda:x")]
    [TestCase("cpu:1:2")]
    [TestCase("cuda:-1")]
    public void Create_WithABadVariable_ThrowsNamingIt(string value)
    {
        Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, value);

        Assert.That(() => ComputeDevice.Create(), Throws.ArgumentException.With.Message.Contains($"'{value}'"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Create_WithTheVariableUnsetOrBlank_PicksTheBestPresent(string? value)
    {
        Environment.SetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable, value);
        var present = ComputeDevice.ListPresent();

        using var device = ComputeDevice.Create();

        // CUDA first, then an OpenCL GPU, then the CPU (its host kernels beat an OpenCL CPU runtime).
        var expected = present.Any(p => p.StartsWith("cuda:", StringComparison.Ordinal)) ? DeviceKind.Cuda
            : present.Any(p => p.StartsWith("opencl:", StringComparison.Ordinal) && p.EndsWith("(GPU)", StringComparison.Ordinal)) ? DeviceKind.OpenCL
            : DeviceKind.Cpu;
        Assert.That(device.Kind, Is.EqualTo(expected));
    }
}

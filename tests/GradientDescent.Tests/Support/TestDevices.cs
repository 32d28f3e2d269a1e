using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The devices tests run on, each created once because compiling kernels costs seconds per device.
/// With GRADIENTDESCENT_DEVICE set (cuda, opencl, cpu), that device is the one under test. Unset, two
/// CPU paths are: the host SIMD kernels and the ILGPU kernels in the CPU emulator, so every
/// device-parametrised test checks both kernel sets.
/// </summary>
[SetUpFixture]
public sealed class TestDevices
{
    private static readonly Lazy<IReadOnlyList<DeviceUnderTest>> s_underTest = new(CreateUnderTest);
    private static readonly Lazy<ComputeDevice> s_wideCpu = new(() => ComputeDevice.Create(
        new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Emulated, CpuGroupSize = 256 }));

    /// <summary>The devices under test, for <c>[TestFixtureSource]</c>; fixtures are named after them.</summary>
    public static IReadOnlyList<DeviceUnderTest> UnderTest => s_underTest.Value;

    /// <summary>The first device under test: for tests of device-independent behaviour (errors, shapes, files).</summary>
    public static ComputeDevice Shared => UnderTest[0].Device;

    /// <summary>
    /// A device that runs the GPU variants of ILGPU kernels (256-thread groups with shared memory): the
    /// device under test when it is a GPU, else a CPU emulator configured with groups that large.
    /// </summary>
    public static ComputeDevice GpuKernels => Shared.Kind == DeviceKind.Cpu ? s_wideCpu.Value : Shared;

    /// <summary>The shared devices created so far (without creating any): what the leak check watches.</summary>
    public static IEnumerable<ComputeDevice> Created =>
        (s_underTest.IsValueCreated ? s_underTest.Value.Where(d => d.IsCreated).Select(d => d.Device) : [])
            .Concat(s_wideCpu.IsValueCreated ? [s_wideCpu.Value] : []);

    /// <summary>Skips (never passes) a test that needs a GPU when the device under test is the CPU.</summary>
    public static void RequireGpu() =>
        Assume.That(Shared.Kind, Is.Not.EqualTo(DeviceKind.Cpu),
            $"needs a GPU; the device under test is {Shared} (set {ComputeDeviceOptions.DeviceVariable}=cuda or opencl)");

    [OneTimeSetUp]
    public void Announce()
    {
        foreach (var device in UnderTest)
        {
            TestContext.Progress.WriteLine($"Device under test: {device.Name} = {device.Device}");
        }
    }

    [OneTimeTearDown]
    public void DisposeDevices()
    {
        foreach (var device in UnderTest)
        {
            device.Dispose();
        }

        if (s_wideCpu.IsValueCreated)
        {
            s_wideCpu.Value.Dispose();
        }
    }

    private static List<DeviceUnderTest> CreateUnderTest()
    {
        var name = Environment.GetEnvironmentVariable(ComputeDeviceOptions.DeviceVariable);
        if (!string.IsNullOrWhiteSpace(name))
        {
            var options = ComputeDeviceOptions.Parse(name);
            return [new DeviceUnderTest(name.Trim().ToLowerInvariant(), options)];
        }

        return
        [
            new DeviceUnderTest("cpu-host", new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Host }),
            new DeviceUnderTest("cpu-emulated", new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Emulated }),
        ];
    }
}

/// <summary>A named device, created on first use; its name labels parametrised fixtures (e.g. <c>TwoLayerNetTests(cpu-host)</c>).</summary>
public sealed class DeviceUnderTest(string name, ComputeDeviceOptions options) : IDisposable
{
    private readonly Lazy<ComputeDevice> _device = new(() => ComputeDevice.Create(options));

    /// <summary>The path's name: cpu-host, cpu-emulated, cuda, opencl, ...</summary>
    public string Name { get; } = name;

    /// <summary>The device.</summary>
    public ComputeDevice Device => _device.Value;

    /// <summary>Whether the device has been created yet.</summary>
    public bool IsCreated => _device.IsValueCreated;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_device.IsValueCreated)
        {
            _device.Value.Dispose();
        }
    }
}

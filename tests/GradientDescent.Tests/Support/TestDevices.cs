using NUnit.Framework;

namespace GradientDescent.Tests.Support;

/// <summary>
/// The devices tests run on. <see cref="Shared"/> is the device named by GRADIENTDESCENT_DEVICE (the CPU
/// emulator when unset), created once because compiling kernels costs seconds per device.
/// </summary>
[SetUpFixture]
public sealed class TestDevices
{
    private static readonly Lazy<ComputeDevice> s_shared = new(CreateShared);
    private static readonly Lazy<ComputeDevice> s_wideCpu = new(() =>
        ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuGroupSize = 256 }));

    /// <summary>The device under test.</summary>
    public static ComputeDevice Shared => s_shared.Value;

    /// <summary>
    /// A device that runs the GPU variants of kernels (256-thread groups with shared memory): the shared
    /// device when it is a GPU, else a CPU emulator configured with groups that large.
    /// </summary>
    public static ComputeDevice GpuKernels => Shared.Kind == DeviceKind.Cpu ? s_wideCpu.Value : Shared;

    /// <summary>Skips (never passes) a test that needs a GPU when the device under test is the CPU.</summary>
    public static void RequireGpu() =>
        Assume.That(Shared.Kind, Is.Not.EqualTo(DeviceKind.Cpu),
            $"needs a GPU; the device under test is {Shared} (set {ComputeDeviceOptions.EnvironmentVariable}=cuda or opencl)");

    [OneTimeSetUp]
    public void Announce() =>
        TestContext.Progress.WriteLine($"Device under test: {Shared}");

    [OneTimeTearDown]
    public void DisposeDevices()
    {
        if (s_shared.IsValueCreated)
        {
            s_shared.Value.Dispose();
        }

        if (s_wideCpu.IsValueCreated)
        {
            s_wideCpu.Value.Dispose();
        }
    }

    private static ComputeDevice CreateShared()
    {
        var name = Environment.GetEnvironmentVariable(ComputeDeviceOptions.EnvironmentVariable);
        return string.IsNullOrWhiteSpace(name)
            ? ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu })
            : ComputeDevice.Create(name);
    }
}

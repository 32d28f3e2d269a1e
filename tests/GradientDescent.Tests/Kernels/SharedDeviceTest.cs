using GradientDescent.Tests.Support;
using NUnit.Framework;

namespace GradientDescent.Tests.Kernels;

/// <summary>
/// Base of the kernel fixtures, which run once per device under test (both CPU kernel sets unless
/// GRADIENTDESCENT_DEVICE names one device). Devices are shared across tests, so a test that leaves a
/// tensor undisposed fails here rather than slowly filling the device for the tests after it.
/// </summary>
public abstract class SharedDeviceTest(DeviceUnderTest deviceUnderTest)
{
    private long _allocatedBefore;

    /// <summary>The device this fixture instance tests.</summary>
    protected ComputeDevice Device => deviceUnderTest.Device;

    [SetUp]
    public void RecordAllocatedBytes() => _allocatedBefore = Device.AllocatedBytes;

    [TearDown]
    public void CheckEveryTensorWasDisposed() =>
        Assert.That(Device.AllocatedBytes, Is.EqualTo(_allocatedBefore),
            $"bytes of tensors the test left on {Device}");
}

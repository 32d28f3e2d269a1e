using GradientDescent.Tests.Support;
using NUnit.Framework;

namespace GradientDescent.Tests.Kernels;

/// <summary>
/// Base of the kernel fixtures: every test runs on the one shared device, so a test that leaves a tensor
/// undisposed fails here rather than slowly filling the device for the tests after it.
/// </summary>
public abstract class SharedDeviceTest
{
    private long _allocatedBefore;

    [SetUp]
    public void RecordAllocatedBytes() => _allocatedBefore = TestDevices.Shared.AllocatedBytes;

    [TearDown]
    public void CheckEveryTensorWasDisposed() =>
        Assert.That(TestDevices.Shared.AllocatedBytes, Is.EqualTo(_allocatedBefore),
            $"bytes of tensors the test left on {TestDevices.Shared}");
}

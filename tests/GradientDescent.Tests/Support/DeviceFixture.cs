namespace GradientDescent.Tests;

/// <summary>
/// Base of the fixtures that run once per device under test (both CPU kernel sets unless
/// GRADIENTDESCENT_DEVICE names one device): gives them <see cref="Device"/>. Devices are shared across
/// tests, so every test must free what it allocates; <see cref="LeakCheckAttribute"/> holds that for
/// every test of the assembly.
/// </summary>
public abstract class DeviceFixture(DeviceUnderTest deviceUnderTest)
{
    /// <summary>The device this fixture instance tests.</summary>
    protected ComputeDevice Device => deviceUnderTest.Device;
}

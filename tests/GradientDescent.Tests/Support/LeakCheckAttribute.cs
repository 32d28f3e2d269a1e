using NUnit.Framework;
using NUnit.Framework.Interfaces;

[assembly: GradientDescent.Tests.LeakCheck]

namespace GradientDescent.Tests;

/// <summary>
/// Fails every test that leaves device memory allocated on a shared test device: applied to the whole
/// assembly, so a test that forgets a tensor, or a library path that leaks on an error, fails there rather
/// than slowly filling the device for the tests after it.
/// </summary>
/// <remarks>
/// Only growth fails: a buffer an earlier test dropped may be freed by the garbage collector during a
/// later one (the library frees unreachable tensors), which only lowers the count.
/// </remarks>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class LeakCheckAttribute : Attribute, ITestAction
{
    private readonly Dictionary<ComputeDevice, long> _before = [];

    /// <inheritdoc/>
    public ActionTargets Targets => ActionTargets.Test;

    /// <inheritdoc/>
    public void BeforeTest(ITest test)
    {
        _before.Clear();
        foreach (var device in TestDevices.Created)
        {
            _before[device] = device.AllocatedBytes;
        }
    }

    /// <inheritdoc/>
    public void AfterTest(ITest test)
    {
        foreach (var (device, before) in _before)
        {
            if (device.IsDisposed)
            {
                continue;
            }

            long after = device.AllocatedBytes;
            if (after > before)
            {
                string owners = string.Join("; ", device.GetMemoryUsage().Select(u => $"{u.Owner}: {u.Bytes} B in {u.Buffers}"));
                Assert.Fail($"{test.Name} left {after - before} bytes allocated on {device} (now held: {owners}).");
            }
        }
    }
}

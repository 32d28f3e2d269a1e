using System.Globalization;

namespace GradientDescent;

/// <summary>
/// Thrown when a device cannot allocate a buffer: names the device, the bytes asked for, the bytes the
/// library already holds there and the device's size, so the message alone says whether the request was
/// absurd (a wrong shape) or the device was full (tensors not freed; see <see cref="ComputeDevice.GetMemoryUsage"/>).
/// </summary>
public sealed class DeviceOutOfMemoryException : OutOfMemoryException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public DeviceOutOfMemoryException()
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">The complete message.</param>
    public DeviceOutOfMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The accelerator's own error.</param>
    public DeviceOutOfMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception describing a refused allocation.</summary>
    /// <param name="device">The device, as <see cref="ComputeDevice.ToString"/> describes it.</param>
    /// <param name="requestedBytes">The size of the refused allocation.</param>
    /// <param name="allocatedBytes">What the library held on the device at the time.</param>
    /// <param name="deviceBytes">The device's memory size.</param>
    /// <param name="innerException">The accelerator's own error.</param>
    public DeviceOutOfMemoryException(string device, long requestedBytes, long allocatedBytes, long deviceBytes, Exception innerException)
        : this(device, requestedBytes, allocatedBytes, deviceBytes, innerException?.Message ?? string.Empty, innerException)
    {
    }

    /// <summary>Creates an exception describing a refused allocation, with the reason in words.</summary>
    /// <param name="device">The device, as <see cref="ComputeDevice.ToString"/> describes it.</param>
    /// <param name="requestedBytes">The size of the refused allocation.</param>
    /// <param name="allocatedBytes">What the library held on the device at the time.</param>
    /// <param name="deviceBytes">The device's memory size, or the limit the device was created with.</param>
    /// <param name="reason">Why it was refused.</param>
    /// <param name="innerException">The accelerator's own error, if any.</param>
    public DeviceOutOfMemoryException(string device, long requestedBytes, long allocatedBytes, long deviceBytes, string reason, Exception? innerException)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{device}: cannot allocate {requestedBytes:N0} bytes; the library holds {allocatedBytes:N0} bytes there of {deviceBytes:N0} ({reason})"),
            innerException)
    {
        Device = device;
        RequestedBytes = requestedBytes;
        AllocatedBytes = allocatedBytes;
    }

    /// <summary>The device, as it describes itself; null when built from a message only.</summary>
    public string? Device { get; }

    /// <summary>The size of the allocation that failed.</summary>
    public long RequestedBytes { get; }

    /// <summary>The bytes the library held on the device when it failed.</summary>
    public long AllocatedBytes { get; }
}

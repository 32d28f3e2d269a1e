namespace GradientDescent;

/// <summary>
/// Device memory held for one owner, as <see cref="ComputeDevice.GetMemoryUsage"/> reports it: the way to
/// find what holds memory that should have been freed (a tape never disposed names the line that created it).
/// </summary>
/// <param name="Owner">
/// Who frees it: <c>caller</c> for tensors and labels the caller owns, a tape with the place it was created
/// (<c>GradientTape created at Program.cs:12</c>), a network, a batch gatherer, or <c>unreachable</c> for buffers
/// the garbage collector has released but the device has not yet freed.
/// </param>
/// <param name="Bytes">Bytes of device memory.</param>
/// <param name="Buffers">How many allocations.</param>
public sealed record MemoryUsage(string Owner, long Bytes, int Buffers)
{
    internal const string CallerOwner = "caller";
    internal const string UnreachableOwner = "unreachable (freed at the device's next allocation)";
}

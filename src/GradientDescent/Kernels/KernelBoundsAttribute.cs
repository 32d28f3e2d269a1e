namespace GradientDescent;

/// <summary>
/// The launch bounds a kernel is compiled with: at most <see cref="MaxThreadsPerGroup"/> threads per group and at
/// least <see cref="MinGroupsPerMultiprocessor"/> groups resident per multiprocessor. On CUDA they become PTX's
/// <c>.maxntid</c> and <c>.minnctapersm</c>, which cap the registers the assembler may give a thread (64K registers
/// / (threads · groups)) instead of letting it take up to 255 and fit fewer groups.
/// </summary>
/// <remarks>
/// Read by <see cref="KernelCatalog.SpecializationOf"/>, which both the launcher and the compile checks use, so the
/// kernel that runs and the kernel that is checked are compiled alike.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class KernelBoundsAttribute(int maxThreadsPerGroup, int minGroupsPerMultiprocessor) : Attribute
{
    /// <summary>The largest group the kernel is launched with.</summary>
    public int MaxThreadsPerGroup { get; } = maxThreadsPerGroup;

    /// <summary>Groups that must fit on one multiprocessor at once.</summary>
    public int MinGroupsPerMultiprocessor { get; } = minGroupsPerMultiprocessor;
}

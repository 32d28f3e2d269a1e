using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GradientDescent;

/// <summary>
/// Every ILGPU kernel of the library, found by one rule, and their PTX as a GPU-less machine can produce it.
/// The compile tests and the benchmarks' <c>ptx</c> command both read this list, so a kernel added to any
/// op family is compiled and checked without being registered by hand.
/// </summary>
internal static class KernelCatalog
{
    /// <summary>
    /// The kernels: static void methods named <c>*Kernel</c> of the library whose parameters are all ArrayViews,
    /// ints, floats or the library's own value types (what the launchers pass to <c>LoadStreamKernel</c>). A
    /// generic kernel appears once per value type of the library that meets its constraints (one per elementwise
    /// function, say), as ILGPU compiles one kernel per instantiation. Ordered by declaring type, then name.
    /// </summary>
    internal static IReadOnlyList<MethodInfo> Kernels { get; } = [.. Discover()];

    /// <summary>The name tests and tools use for a kernel: <c>DeclaringType.Method</c>, with its function type for a generic one.</summary>
    internal static string NameOf(MethodInfo kernel) =>
        kernel.IsGenericMethod
            ? $"{kernel.DeclaringType!.Name}.{kernel.Name}<{string.Join(",", kernel.GetGenericArguments().Select(t => t.Name))}>"
            : $"{kernel.DeclaringType!.Name}.{kernel.Name}";

    /// <summary>The launch bounds of <paramref name="kernel"/> (<see cref="KernelBoundsAttribute"/>), or none.</summary>
    internal static KernelSpecialization SpecializationOf(MethodInfo kernel) =>
        kernel.GetCustomAttribute<KernelBoundsAttribute>() is { } bounds
            ? new KernelSpecialization(bounds.MaxThreadsPerGroup, bounds.MinGroupsPerMultiprocessor)
            : KernelSpecialization.Empty;

    /// <summary>
    /// A context set up as <see cref="ComputeDevice"/> sets up its own (algorithms enabled, O2), so what is
    /// compiled here is what a device would compile. The caller owns it.
    /// </summary>
    internal static Context CreateCompileContext() =>
        Context.Create(builder => builder.EnableAlgorithms().Optimize(OptimizationLevel.O2));

    /// <summary>
    /// Compiles <paramref name="kernel"/> to PTX for sm_80 (the highest target ILGPU 1.5.3 writes) with the
    /// newest PTX ISA it knows and the kernel's launch bounds, as the CUDA accelerator would; no GPU or driver is
    /// needed.
    /// </summary>
    /// <returns>The PTX text and the entry point's name in it.</returns>
    internal static (string Ptx, string EntryName) CompilePtx(Context context, MethodInfo kernel)
    {
        // The NVVM API is optional and needs a CUDA installation; without it ILGPU generates PTX itself.
        using var backend = new PTXBackend(context, CudaArchitecture.SM_80, HighestInstructionSet(), nvvmAPI: null!);
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, SpecializationOf(kernel));
        return (compiled.PTXAssembly, compiled.Name);
    }

    private static IEnumerable<MethodInfo> Discover()
    {
        var types = typeof(KernelCatalog).Assembly.GetTypes();
        return types
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal) && m.ReturnType == typeof(void)
                && m.GetParameters().Length > 0 && m.GetParameters().All(p => IsKernelParameter(p.ParameterType)))
            .SelectMany(m => m.IsGenericMethodDefinition ? Instantiations(m, types) : [m])
            .OrderBy(m => m.DeclaringType!.Name, StringComparer.Ordinal)
            .ThenBy(NameOf, StringComparer.Ordinal);
    }

    /// <summary>A one-parameter generic kernel closed over every library value type that satisfies its constraints.</summary>
    private static IEnumerable<MethodInfo> Instantiations(MethodInfo kernel, Type[] types)
    {
        var parameter = kernel.GetGenericArguments().Single();
        var constraints = parameter.GetGenericParameterConstraints();
        return types
            .Where(t => t.IsValueType && !t.IsGenericTypeDefinition && !t.IsEnum
                && constraints.All(c => c == typeof(ValueType) || c.IsAssignableFrom(t)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => kernel.MakeGenericMethod(t));
    }

    private static bool IsKernelParameter(Type type) =>
        type == typeof(int) || type == typeof(float)
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ArrayView<>))
        || (type.IsValueType && !type.IsEnum && type.Assembly == typeof(KernelCatalog).Assembly)
        || type.IsGenericParameter;

    /// <summary>The newest PTX ISA this ILGPU knows (its static ISA_* fields), as a current driver's JIT accepts.</summary>
    private static CudaInstructionSet HighestInstructionSet() =>
        typeof(CudaInstructionSet).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(CudaInstructionSet))
            .Select(f => (CudaInstructionSet)f.GetValue(null)!)
            .Max();
}

using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Compiles every kernel of the library to PTX and to OpenCL C on a machine without a GPU. The CPU
/// accelerator runs .NET code almost as written, so these are the only tests that catch a kernel the
/// GPU backends reject (Math.Clamp, FusedMultiplyAdd, a missing EnableAlgorithms, ...).
/// </summary>
[TestFixture]
public sealed class KernelCompilationTests
{
    private Context? _ptxContext;
    private Context? _clContext;

    public enum Target
    {
        Ptx,
        OpenCL,
    }

    public static IEnumerable<TestCaseData> Cases() =>
        from kernel in KernelMethods().Concat(SampleKernelMethods())
        from target in new[] { Target.Ptx, Target.OpenCL }
        select new TestCaseData(kernel, target).SetName($"Compiles_{kernel.DeclaringType!.Name}_{kernel.Name}_To{target}");

    /// <summary>
    /// Kernels are the static void methods named *Kernel of the op families' *Kernels classes whose parameters
    /// are all ArrayViews, ints or floats: exactly what the launchers pass to LoadStreamKernel.
    /// </summary>
    public static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(Tensor).Assembly.GetTypes()
            .Where(t => t.Namespace == "GradientDescent" && t.Name.EndsWith("Kernels", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal) && m.ReturnType == typeof(void)
                && m.GetParameters().All(p => IsKernelParameter(p.ParameterType)))
            .OrderBy(m => m.DeclaringType!.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Name, StringComparer.Ordinal);

    /// <summary>The CustomKernel sample's kernels (docs/custom-ops.md): a user's kernels must compile for the GPUs too.</summary>
    public static IEnumerable<MethodInfo> SampleKernelMethods() =>
        typeof(CustomKernel.LeakyRelu).GetMethods(BindingFlags.Static | BindingFlags.NonPublic)
            .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal))
            .OrderBy(m => m.Name, StringComparer.Ordinal);

    [OneTimeSetUp]
    public void CreateContexts()
    {
        // A context per backend, built as ComputeDevice builds its own, so one backend's failure cannot
        // poison the other's compiles (see the negative test).
        _ptxContext = CreateContext();
        _clContext = CreateContext();
    }

    [OneTimeTearDown]
    public void DisposeContexts()
    {
        _ptxContext?.Dispose();
        _clContext?.Dispose();
    }

    [Test]
    public void Discovery_FindsTheKernelsOfEveryKernelFamily()
    {
        var names = KernelMethods().Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(names, Has.Count.GreaterThanOrEqualTo(18), string.Join(", ", names));
            Assert.That(SampleKernelMethods().Select(m => m.Name), Is.EqualTo(new[] { "BackwardKernel", "ForwardKernel" }));
            Assert.That(names, Is.Unique);
            Assert.That(names, Does.Contain("MatMulKernels.TiledKernel").And.Contain("MatMulKernels.RowStreamingKernel")
                .And.Contain("SoftmaxKernels.SparseKernel").And.Contain("ReductionKernels.TotalKernel")
                .And.Contain("ReluKernels.ForwardKernel").And.Contain("ElementwiseKernels.FillKernel").And.Contain("SgdKernels.UpdateKernel"));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Compiles(MethodInfo kernel, Target target)
    {
        var (text, entryName) = target == Target.Ptx ? CompilePtx(_ptxContext!, kernel) : CompileOpenCL(_clContext!, kernel);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Is.Not.Empty);
            Assert.That(entryName, Is.Not.Empty);
            Assert.That(text, Does.Contain(entryName));
            if (target == Target.Ptx)
            {
                Assert.That(text, Does.Contain(".entry " + entryName));
                Assert.That(text, Does.Contain(".target sm_"));
                // An extern function is a call ILGPU could not lower (MathF.FusedMultiplyAdd): the driver
                // cannot link it, although compiling to text succeeded.
                Assert.That(text, Does.Not.Contain(".extern .func"));
            }
            else
            {
                Assert.That(text, Does.Match(@"kernel\s+void\s+" + entryName));
            }
        }
    }

    [Test]
    public void NegativeControl_MathClampDoesNotCompileToPtx()
    {
        // Its own context: after a failed compile, later compiles in the same context may throw
        // NullReferenceException.
        using var context = CreateContext();
        var kernel = typeof(KernelCompilationTests).GetMethod(nameof(ClampKernel), BindingFlags.Static | BindingFlags.NonPublic)!;

        Assert.That(() => CompilePtx(context, kernel),
            Throws.InstanceOf<InternalCompilerException>().With.Message.Contains("Clamp"));
    }

    [Test]
    public void NegativeControl_FusedMultiplyAddLeavesAnExternFunctionInPtx()
    {
        using var context = CreateContext();
        var kernel = typeof(KernelCompilationTests).GetMethod(nameof(FusedMultiplyAddKernel), BindingFlags.Static | BindingFlags.NonPublic)!;

        var (text, _) = CompilePtx(context, kernel);

        Assert.That(text, Does.Contain(".extern .func").And.Contain("FusedMultiplyAdd"));
    }

    [Test]
    public void PositiveControl_XMathClampCompilesToPtx()
    {
        using var context = CreateContext();
        var kernel = typeof(KernelCompilationTests).GetMethod(nameof(XMathClampKernel), BindingFlags.Static | BindingFlags.NonPublic)!;

        var (text, entryName) = CompilePtx(context, kernel);

        Assert.That(text, Does.Contain(".entry " + entryName));
    }

    private static Context CreateContext() =>
        Context.Create(builder => builder.EnableAlgorithms().Optimize(OptimizationLevel.O2));

    private static (string Text, string EntryName) CompilePtx(Context context, MethodInfo kernel)
    {
        using var backend = new PTXBackend(context, CudaArchitecture.SM_80, HighestInstructionSet(), nvvmAPI: null!); // "Optional NVVM API instance": none without a GPU.
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, default);
        return (compiled.PTXAssembly, compiled.Name);
    }

    private static (string Text, string EntryName) CompileOpenCL(Context context, MethodInfo kernel)
    {
        var capabilities = new CLCapabilityContext(false, false, false, false, false);
        using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Other, CLCVersion.CL20);
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        var compiled = (CLCompiledKernel)backend.Compile(entry, default);
        return (compiled.Source, compiled.Name);
    }

    /// <summary>The newest PTX ISA this ILGPU knows (its static ISA_* fields), as a driver JIT would accept.</summary>
    private static CudaInstructionSet HighestInstructionSet() =>
        typeof(CudaInstructionSet).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(CudaInstructionSet))
            .Select(f => (CudaInstructionSet)f.GetValue(null)!)
            .Max();

    private static bool IsKernelParameter(Type type) =>
        type == typeof(int) || type == typeof(float)
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ArrayView<>));

    private static void ClampKernel(ArrayView<float> x, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] = Math.Clamp(x[i], 0f, 1f);
        }
    }

    private static void FusedMultiplyAddKernel(ArrayView<float> x, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] = MathF.FusedMultiplyAdd(x[i], 2f, 1f);
        }
    }

    private static void XMathClampKernel(ArrayView<float> x, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] = ILGPU.Algorithms.XMath.Clamp(x[i], 0f, 1f);
        }
    }
}

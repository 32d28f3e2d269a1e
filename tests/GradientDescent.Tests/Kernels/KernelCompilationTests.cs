using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
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
        select new TestCaseData(kernel, target).SetName($"Compiles_{KernelCatalog.NameOf(kernel).Replace('.', '_')}_To{target}");

    /// <summary>The library's kernels, by the one rule in <see cref="KernelCatalog"/>.</summary>
    public static IEnumerable<MethodInfo> KernelMethods() => KernelCatalog.Kernels;

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
        var names = KernelMethods().Select(KernelCatalog.NameOf).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(names, Has.Count.GreaterThanOrEqualTo(76), string.Join(", ", names));
            Assert.That(SampleKernelMethods().Select(m => m.Name), Is.EqualTo(new[] { "BackwardKernel", "ForwardKernel" }));
            Assert.That(names, Is.Unique);
            Assert.That(names, Does.Contain("MatMulKernels.TiledKernel").And.Contain("MatMulKernels.RowStreamingKernel")
                .And.Contain("GpuGemm.ScalarKernel").And.Contain("GpuGemm.VectorNNKernel").And.Contain("GpuGemm.VectorTNKernel")
                .And.Contain("GpuGemm.VectorNTKernel").And.Contain("GpuGemm.VectorTTKernel")
                .And.Contain("SoftmaxKernels.SparseKernel").And.Contain("ReductionKernels.TotalKernel")
                .And.Contain("ReluKernels.ForwardKernel").And.Contain("ElementwiseKernels.FillKernel").And.Contain("SgdKernels.UpdateKernel")
                .And.Contain("ElementwiseKernels.UnaryKernel<ExpFunction>").And.Contain("ReductionKernels.ColumnsKernel<MaxReduction>")
                .And.Contain("SgdKernels.MomentumKernel").And.Contain("ShapeKernels.TransposeKernel").And.Contain("ElementwiseKernels.ExpandKernel")
                .And.Contain("GatherKernels.ElementsKernel").And.Contain("GatherKernels.ScatterElementsKernel").And.Contain("GatherKernels.AtLabelsKernel")
                .And.Contain("GatherKernels.LabelMaskKernel").And.Contain("ReductionKernels.RowsKernel<SumReduction>")
                .And.Contain("ReductionKernels.RowsKernel<MaxReduction>").And.Contain("ReductionKernels.ColumnsKernel<SumReduction>")
                .And.Contain("ReductionKernels.ArgMaxKernel").And.Contain("ReductionKernels.CorrectKernel"));
        }
    }

    [Test]
    public void Discovery_InstantiatesTheGenericKernels_ForEveryFunction()
    {
        // One kernel per function type: a function added without its kernel would fail on a GPU at its first use.
        var names = KernelMethods().Select(KernelCatalog.NameOf).ToHashSet();
        var types = typeof(KernelCatalog).Assembly.GetTypes().Where(t => t.IsValueType).ToList();
        var expected =
            from t in types
            from kernel in t.GetInterfaces().Contains(typeof(IUnaryFunction)) ? new[] { "UnaryKernel", "UnaryBackwardKernel" }
                : t.GetInterfaces().Contains(typeof(IBinaryFunction)) ? ["BinaryKernel", "BinaryBackwardKernel"]
                : t.GetInterfaces().Contains(typeof(IReduction)) ? ["RowsKernel", "ColumnsKernel"]
                : []
            select $"{(kernel.StartsWith("Rows", StringComparison.Ordinal) || kernel.StartsWith("Columns", StringComparison.Ordinal) ? "ReductionKernels" : "ElementwiseKernels")}.{kernel}<{t.Name}>";

        Assert.That(expected.ToList(), Has.Count.GreaterThanOrEqualTo(2 * (14 + 7 + 2)).And.All.Matches<string>(names.Contains));
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

    private static Context CreateContext() => KernelCatalog.CreateCompileContext();

    private static (string Text, string EntryName) CompilePtx(Context context, MethodInfo kernel) =>
        KernelCatalog.CompilePtx(context, kernel);

    private static (string Text, string EntryName) CompileOpenCL(Context context, MethodInfo kernel)
    {
        var capabilities = new CLCapabilityContext(false, false, false, false, false);
        using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Other, CLCVersion.CL20);
        var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        var compiled = (CLCompiledKernel)backend.Compile(entry, default);
        return (compiled.Source, compiled.Name);
    }

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

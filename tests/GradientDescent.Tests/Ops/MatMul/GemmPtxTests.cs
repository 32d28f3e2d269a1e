using System.Reflection;
using ILGPU;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// What the blocked matmul's PTX must keep for a real GPU, checked without one: no local memory (an array or a
/// spilled value in the PTX itself), 128-bit loads from shared memory in every kernel and from global memory in the
/// vector kernels, and the launch bounds that cap ptxas at 128 registers. The register and spill figures of the
/// assembled code come from <c>.ci/ptx-check.sh</c>, which needs NVIDIA's ptxas.
/// </summary>
[TestFixture]
public sealed class GemmPtxTests
{
    private static readonly string[] s_vectorKernels =
        [nameof(GpuGemm.VectorNNKernel), nameof(GpuGemm.VectorTNKernel), nameof(GpuGemm.VectorNTKernel), nameof(GpuGemm.VectorTTKernel)];

    private Context? _context;

    public static IEnumerable<string> Kernels() => [.. s_vectorKernels, nameof(GpuGemm.ScalarKernel)];

    [OneTimeSetUp]
    public void CreateContext() => _context = KernelCatalog.CreateCompileContext();

    [OneTimeTearDown]
    public void DisposeContext() => _context?.Dispose();

    [TestCaseSource(nameof(Kernels))]
    public void Ptx_HasNoLocalMemoryAndVectorLoads(string name)
    {
        var kernel = typeof(GpuGemm).GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic)
            ?? throw new MissingMethodException(nameof(GpuGemm), name);

        var (ptx, _) = KernelCatalog.CompilePtx(_context!, kernel);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ptx, Does.Not.Contain("ld.local").And.Not.Contain("st.local").And.Not.Contain(".local"), "local memory");
            Assert.That(ptx, Does.Contain("ld.shared.v4.f32"), "128-bit shared loads");
            Assert.That(ptx, Does.Contain($".maxntid {GpuGemm.Threads}, 1, 1").And.Contain($".minnctapersm {GpuGemm.GroupsPerMultiprocessor}"),
                "launch bounds");
            if (s_vectorKernels.Contains(name))
            {
                Assert.That(ptx, Does.Contain("ld.global.v4.f32"), "128-bit global loads");
            }
            else
            {
                Assert.That(ptx, Does.Not.Contain("ld.global.v4"), "the scalar kernel serves misaligned operands");
            }
        }
    }

    /// <summary>The harness can fail: the 16×16 tiled kernel has neither kind of 128-bit load.</summary>
    [Test]
    public void NegativeControl_TheTiledKernelHasNoVectorLoads()
    {
        var kernel = typeof(MatMulKernels).GetMethod(nameof(MatMulKernels.TiledKernel), BindingFlags.Static | BindingFlags.NonPublic)!;

        var (ptx, _) = KernelCatalog.CompilePtx(_context!, kernel);

        Assert.That(ptx, Does.Not.Contain("ld.shared.v4").And.Not.Contain("ld.global.v4"));
    }
}

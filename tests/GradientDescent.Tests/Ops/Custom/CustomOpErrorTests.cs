using CustomKernel;
using ILGPU;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Bad use of <see cref="CustomOp"/>: each fails with a typed exception whose message names the operation, before
/// any launch where the mistake is visible then, and without leaking (the assembly's leak check holds that).
/// </summary>
[TestFixture]
public sealed class CustomOpErrorTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    [Test]
    public void Apply_WithoutForward()
    {
        using var x = Tensor.Zeros(Device, 2);

        Assert.That(() => new CustomOp("Half").Apply(x.Shape, x), Throws.TypeOf<CustomOpException>()
            .With.Message.StartsWith("Half has no forward").And.Property(nameof(CustomOpException.Operation)).EqualTo("Half"));
    }

    [TestCase(new[] { 0, 3 }, "(0, 3)")]
    [TestCase(new[] { -1 }, "(-1,)")]
    [TestCase(new[] { 65536, 65536 }, "(65536, 65536)")]
    public void Apply_BadOutputShape(int[] shape, string text)
    {
        using var x = Tensor.Zeros(Device, 2);

        Assert.That(() => Copy("Widen").Apply(shape, x), Throws.ArgumentException
            .With.Message.StartsWith($"Widen: the output shape {text} is invalid").And.Property("ParamName").EqualTo("outputShape"));
    }

    [Test]
    public void Apply_NoInputs_DisposedInput_InputsOnTwoDevices()
    {
        using var other = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu });
        using var a = Tensor.Zeros(Device, 2);
        using var b = Tensor.Zeros(other, 2);
        var gone = Tensor.Zeros(Device, 2);
        gone.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Copy("Mix").Apply([2]), Throws.ArgumentException.With.Message.Contains("Mix: Apply needs at least one input"));
            Assert.That(() => Copy("Mix").Apply([2], gone), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Mix: inputs[0] (shape (2,)) has been disposed"));
            Assert.That(() => Copy("Mix").Apply([2], a, b), Throws.ArgumentException.With.Message.StartsWith("Mix: tensors live on different devices"));
        }
    }

    [Test]
    public void Definition_BadNameOrSaves()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new CustomOp(" "), Throws.ArgumentException);
            Assert.That(() => new CustomOp("Op").Backward((g, _) => [g], (CustomOpSaves)4), Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Message.Contains("Op: saves must combine Inputs and Result"));
        }
    }

    [Test]
    public void Forward_ViewOfATensorOnAnotherDevice_OrAGroupTooLarge()
    {
        using var other = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu });
        using var x = Tensor.Zeros(Device, 2);
        using var foreign = Tensor.Zeros(other, 2);
        long before = Device.AllocatedBytes;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new CustomOp("Foreign").Forward((launch, y) => launch.View(foreign)).Apply(x.Shape, x),
                Throws.ArgumentException.With.Message.StartsWith("Foreign: the (2,) tensor lives on cpu:0"));
            Assert.That(() => new CustomOp("Huge")
                    .Forward((launch, y) => launch.Run(LaunchShape.Groups(1, 1 << 20), CopyKernel, launch.View(x), launch.View(y), y.Length))
                    .Apply(x.Shape, x),
                Throws.TypeOf<CustomOpException>().With.Message.Contains("Huge: a launch of 1 group(s) of 1048576 thread(s) cannot run"));
            Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "the results are freed when the forward throws");
        }
    }

    [Test]
    public void Span_OnAGpu_IsRefused()
    {
        TestDevices.RequireGpu();
        using var x = Tensor.Zeros(TestDevices.Shared, 2);

        Assert.That(() => new CustomOp("HostOnly").Forward((launch, y) => launch.Span(y).Clear()).Apply(x.Shape, x),
            Throws.TypeOf<CustomOpException>().With.Message.StartsWith("HostOnly: Span needs a CPU device"));
    }

    [Test]
    public void KernelThatDoesNotCompile_NamesTheOpAndTheKernel_AndTheDeviceStaysUsable()
    {
        // A device of its own: the failure must not leak into the shared devices' kernel caches.
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Emulated });
        using var x = Tensor.FromArray(device, [0.5f, 2f], 2);

        var e = Assert.Throws<KernelCompilationException>(() => new CustomOp("Clamped")
            .Forward((launch, y) => launch.Run(LaunchShape.Elements(y.Length), MathClampKernel, launch.View(x), launch.View(y), y.Length))
            .Apply(x.Shape, x))!;
        // Kernels compiled after the failure, the library's own among them, still compile and run.
        using var y = LeakyRelu.Apply(x);
        using var z = Ops.Scale(x, 2f);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.Message, Does.StartWith("Clamped: Kernel CustomOpErrorTests.MathClampKernel failed to compile for cpu:0"));
            Assert.That(y.ToArray(), Is.EqualTo(new[] { 0.5f, 2f }));
            Assert.That(z.ToArray(), Is.EqualTo(new[] { 1f, 4f }));
        }
    }

    [Test]
    public void CapturingLambdaAsAKernel_IsAKernelCompilationError()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuKernels = CpuKernelSet.Emulated });
        using var x = Tensor.FromArray(device, [1f, 2f], 2);
        float factor = 3f;

        Assert.That(() => new CustomOp("Captures")
                .Forward((launch, y) => launch.Run(LaunchShape.Elements(2), (ArrayView<float> a, ArrayView<float> b) => b[0] = a[0] * factor, launch.View(x), launch.View(y)))
                .Apply(x.Shape, x),
            Throws.TypeOf<KernelCompilationException>().With.Message.StartsWith("Captures: Kernel").And.Message.Contains("static methods"));
    }

    [TestCase(0, "0 gradient(s) for 1 input(s)")]
    [TestCase(2, "2 gradient(s) for 1 input(s)")]
    public void Backward_WrongCount(int count, string message)
    {
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Copy("Miscounted", x).Backward((g, _) => [.. Enumerable.Range(0, count).Select(_ => Ops.Scale(g, 1f))]).Apply(x.Shape, x);

        Assert.That(() => tape.Gradient(Ops.Sum(y), x), Throws.TypeOf<CustomOpException>()
            .With.Message.StartsWith($"Miscounted backward returned {message}"));
    }

    [Test]
    public void Backward_WrongShapeOrDevice()
    {
        using var other = ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu });
        using var x = Tensor.FromArray(Device, [1f, 2f], 2);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var shaped = Copy("Misshaped", x).Backward((g, _) => [Tensor.Zeros(Device, 1, 2)]).Apply(x.Shape, x);
        var placed = Copy("Misplaced", x).Backward((g, _) => [Tensor.Zeros(other, 2)]).Apply(x.Shape, x);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => tape.Gradient(Ops.Sum(shaped), x), Throws.TypeOf<CustomOpException>().With.Message
                .EqualTo("Misshaped backward: the gradient of input 1 of 1 has shape (1, 2), but the input has shape (2,)."));
            Assert.That(() => tape.Gradient(Ops.Sum(placed), x), Throws.TypeOf<CustomOpException>().With.Message
                .StartsWith("Misplaced backward: the gradient of input 1 of 1 lives on cpu:0"));
        }
    }

    private static CustomOp Copy(string name, Tensor? source = null) => new CustomOp(name).Forward((launch, y) =>
        launch.Run(LaunchShape.Elements(y.Length), CopyKernel, launch.View(source ?? y), launch.View(y), y.Length));

    private static void CopyKernel(ArrayView<float> x, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = x[i];
        }
    }

    // Compiles on no backend: Math.Clamp's body throws, and ILGPU cannot compile exceptions.
    private static void MathClampKernel(ArrayView<float> x, ArrayView<float> y, int n)
    {
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            y[i] = Math.Clamp(x[i], 0f, 1f);
        }
    }
}

using GradientDescent.Tests.Support;
using NUnit.Framework;

namespace GradientDescent.Tests.Errors;

/// <summary>
/// Bad input fails at the public boundary, before any kernel launch, with the exception type the docs
/// promise and a message that names the offending shapes and values.
/// </summary>
[TestFixture]
public sealed class BadInputTests
{
    private static ComputeDevice Device => TestDevices.Shared;

    // ---- MatMul ----

    [Test]
    public void MatMul_InnerDimensionsDiffer()
    {
        using var a = Tensor.Zeros(Device, 3, 4);
        using var b = Tensor.Zeros(Device, 5, 2);

        Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException
            .With.Message.Contains("(3, 4)").And.Message.Contains("(5, 2)").And.Message.Contains("inner dimensions 4 and 5"));
    }

    [Test]
    public void MatMul_Transposed_NamesTheTransposedShapes()
    {
        using var a = Tensor.Zeros(Device, 3, 4);
        using var b = Tensor.Zeros(Device, 4, 3);

        Assert.That(() => Ops.MatMul(a, b, transposeB: true), Throws.ArgumentException
            .With.Message.Contains("bᵀ of shape (3, 4)").And.Message.Contains("b is (4, 3)"));
    }

    [Test]
    public void MatMul_VectorOperand()
    {
        using var a = Tensor.Zeros(Device, 4);
        using var b = Tensor.Zeros(Device, 4, 2);

        Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException
            .With.Message.Contains("a must be a matrix (rank 2)").And.Message.Contains("(4,)")
            .And.Property(nameof(ArgumentException.ParamName)).EqualTo("a"));
    }

    [Test]
    public void MatMul_ScalarOperand()
    {
        using var a = Tensor.Zeros(Device, 2, 2);
        using var b = Tensor.Scalar(Device, 1f);

        Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException
            .With.Message.Contains("b must be a matrix").And.Message.Contains("shape ()"));
    }

    // ---- Bias ----

    [Test]
    public void AddBias_MatrixBias()
    {
        using var x = Tensor.Zeros(Device, 2, 3);
        using var b = Tensor.Zeros(Device, 1, 3);

        Assert.That(() => Ops.AddBias(x, b), Throws.ArgumentException
            .With.Message.Contains("b must be a vector (rank 1)").And.Message.Contains("(1, 3)"));
    }

    [Test]
    public void AddBiasRelu_BiasLengthMismatch()
    {
        using var x = Tensor.Zeros(Device, 2, 3);
        using var b = Tensor.Zeros(Device, 4);

        Assert.That(() => Ops.AddBiasRelu(x, b), Throws.ArgumentException
            .With.Message.Contains("(4,)").And.Message.Contains("(2, 3)").And.Message.Contains("needs 3 elements"));
    }

    [Test]
    public void AddBias_VectorInput()
    {
        using var x = Tensor.Zeros(Device, 3);
        using var b = Tensor.Zeros(Device, 3);

        Assert.That(() => Ops.AddBias(x, b), Throws.ArgumentException.With.Message.Contains("x must be a matrix").And.Message.Contains("(3,)"));
    }

    // ---- Elementwise and reductions ----

    [Test]
    public void Add_ShapesDiffer()
    {
        using var a = Tensor.Zeros(Device, 2, 3);
        using var b = Tensor.Zeros(Device, 3, 2);

        Assert.That(() => Ops.Add(a, b), Throws.ArgumentException
            .With.Message.Contains("a has shape (2, 3)").And.Message.Contains("b has shape (3, 2)"));
    }

    [Test]
    public void Subtract_SameLengthDifferentRank()
    {
        using var a = Tensor.Zeros(Device, 6);
        using var b = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => Ops.Subtract(a, b), Throws.ArgumentException.With.Message.Contains("(6,)").And.Message.Contains("(2, 3)"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void Scale_NonFiniteFactor(float s)
    {
        using var x = Tensor.Zeros(Device, 2);

        Assert.That(() => Ops.Scale(x, s), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains($"is {s}").And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(s));
    }

    [Test]
    public void ColumnSum_Vector()
    {
        using var x = Tensor.Zeros(Device, 5);

        Assert.That(() => Ops.ColumnSum(x), Throws.ArgumentException.With.Message.Contains("ColumnSum").And.Message.Contains("(5,)"));
    }

    [Test]
    public void LogSoftmax_Vector()
    {
        using var x = Tensor.Zeros(Device, 5);

        Assert.That(() => Ops.LogSoftmax(x), Throws.ArgumentException.With.Message.Contains("LogSoftmax").And.Message.Contains("(5,)"));
    }

    // ---- Labels ----

    [TestCase(-1, 0)]
    [TestCase(3, 2)]
    [TestCase(7, 1)]
    public void Labels_OutsideTheClasses(int bad, int index)
    {
        var values = new[] { 0, 1, 2, 1 };
        values[index] = bad;

        Assert.That(() => Labels.FromArray(Device, values, 3), Throws.ArgumentException
            .With.Message.Contains($"Label {bad} at index {index}").And.Message.Contains("0..2"));
    }

    [Test]
    public void Labels_FromBytes_OutsideTheClasses()
    {
        Assert.That(() => Labels.FromBytes(Device, [1, 2, 10], 10), Throws.ArgumentException
            .With.Message.Contains("Label 10 at index 2").And.Message.Contains("0..9"));
    }

    [Test]
    public void Labels_Empty()
    {
        Assert.That(() => Labels.FromArray(Device, ReadOnlySpan<int>.Empty, 3), Throws.ArgumentException.With.Message.Contains("At least one label"));
    }

    [Test]
    public void Labels_NoClasses()
    {
        Assert.That(() => Labels.FromArray(Device, [0], 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("classes"));
    }

    [Test]
    public void SoftmaxCrossEntropy_LabelCountDiffersFromRows()
    {
        using var logits = Tensor.Zeros(Device, 4, 3);
        using var labels = Labels.FromArray(Device, [0, 1, 2], 3);

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, labels), Throws.ArgumentException
            .With.Message.Contains("4 rows").And.Message.Contains("got 3 labels"));
    }

    [Test]
    public void SoftmaxCrossEntropy_ClassCountDiffersFromColumns()
    {
        using var logits = Tensor.Zeros(Device, 2, 3);
        using var labels = Labels.FromArray(Device, [0, 4], 5);

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, labels), Throws.ArgumentException
            .With.Message.Contains("3 classes").And.Message.Contains("for 5 classes"));
    }

    [Test]
    public void SoftmaxCrossEntropy_DenseTargetsOfAnotherShape()
    {
        using var logits = Tensor.Zeros(Device, 2, 3);
        using var targets = Tensor.Zeros(Device, 2, 4);

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, targets), Throws.ArgumentException
            .With.Message.Contains("(2, 3)").And.Message.Contains("(2, 4)"));
    }

    [Test]
    public void Accuracy_LabelCountDiffersFromRows()
    {
        using var logits = Tensor.Zeros(Device, 2, 3);
        using var labels = Labels.FromArray(Device, [0, 1, 2], 3);

        Assert.That(() => Ops.Accuracy(logits, labels), Throws.ArgumentException.With.Message.Contains("2 rows").And.Message.Contains("got 3 labels"));
    }

    // ---- SgdStep ----

    [TestCase(0f)]
    [TestCase(-0.1f)]
    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void SgdStep_BadLearningRate(float rate)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new SgdStep(rate), Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Message.Contains($"but is {rate}").And.Property(nameof(ArgumentOutOfRangeException.ActualValue)).EqualTo(rate));
            var sgd = new SgdStep(0.1f);
            Assert.That(() => sgd.LearningRate = rate, Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(sgd.LearningRate, Is.EqualTo(0.1f), "a rejected rate leaves the old one");
        }
    }

    [Test]
    public void SgdStep_CountMismatch()
    {
        using var p = Tensor.Zeros(Device, 2);
        using var q = Tensor.Zeros(Device, 3);
        using var g = Tensor.Zeros(Device, 2);

        Assert.That(() => new SgdStep(0.1f).Apply([p, q], [g]), Throws.ArgumentException
            .With.Message.Contains("2 parameters but 1 gradients"));
    }

    [Test]
    public void SgdStep_ShapeMismatch_LeavesParametersUntouched()
    {
        using var p0 = Tensor.Constant(Device, 1f, 2);
        using var g0 = Tensor.Constant(Device, 1f, 2);
        using var p1 = Tensor.Zeros(Device, 2, 3);
        using var g1 = Tensor.Zeros(Device, 3, 2);

        Assert.That(() => new SgdStep(0.1f).Apply([p0, p1], [g0, g1]), Throws.ArgumentException
            .With.Message.Contains("parameters[1] has shape (2, 3)").And.Message.Contains("gradients[1] has shape (3, 2)"));
        Assert.That(p0.ToArray(), Is.All.EqualTo(1f), "validation happens before any update");
    }

    // ---- Empty tensors ----

    [TestCase(new[] { 0, 3 }, "(0, 3)")]
    [TestCase(new[] { 2, 0 }, "(2, 0)")]
    [TestCase(new[] { 0 }, "(0,)")]
    [TestCase(new[] { 4, -2 }, "(4, -2)")]
    public void Zeros_EmptyOrNegativeExtent(int[] shape, string text)
    {
        Assert.That(() => Tensor.Zeros(Device, shape), Throws.ArgumentException
            .With.Message.Contains($"Shape {text}").And.Message.Contains($"extent of {shape.First(d => d < 1)}"));
    }

    [Test]
    public void FromArray_EmptyVector()
    {
        Assert.That(() => Tensor.FromArray(Device, Array.Empty<float>()), Throws.ArgumentException.With.Message.Contains("(0,)"));
    }

    [Test]
    public void RandomNormal_NegativeStd()
    {
        Assert.That(() => Tensor.RandomNormal(Device, [2], std: -1f), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentOutOfRangeException.ParamName)).EqualTo("std"));
    }

    [Test]
    public void Zeros_TooManyElements()
    {
        Assert.That(() => Tensor.Zeros(Device, 65536, 65536), Throws.ArgumentException.With.Message.Contains("(65536, 65536)"));
    }

    // ---- FromArray / FromBytes ----

    [Test]
    public void FromArray_LengthDiffersFromShape()
    {
        Assert.That(() => Tensor.FromArray(Device, new float[5], 2, 3), Throws.ArgumentException
            .With.Message.Contains("5 values").And.Message.Contains("(2, 3)").And.Message.Contains("holds 6"));
    }

    [Test]
    public void FromBytes_LengthDiffersFromShape()
    {
        Assert.That(() => Tensor.FromBytes(Device, new byte[7], [2, 2]), Throws.ArgumentException
            .With.Message.Contains("7 values").And.Message.Contains("(2, 2)"));
    }

    // ---- Reshape and views ----

    [Test]
    public void Reshape_TwoInferredExtents()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(-1, -1), Throws.ArgumentException
            .With.Message.Contains("(2, 3)").And.Message.Contains("(-1, -1)").And.Message.Contains("only one extent may be -1"));
    }

    [Test]
    public void Reshape_InferredExtentDoesNotDivide()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(4, -1), Throws.ArgumentException
            .With.Message.Contains("(4, -1)").And.Message.Contains("6 is not divisible by 4"));
    }

    [Test]
    public void Reshape_WrongProduct()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(4, 2), Throws.ArgumentException
            .With.Message.Contains("(2, 3) (6 elements)").And.Message.Contains("(4, 2) (8 elements)"));
    }

    [Test]
    public void Reshape_ZeroExtent()
    {
        using var t = Tensor.Zeros(Device, 2, 3);

        Assert.That(() => t.Reshape(0, -1), Throws.ArgumentException.With.Message.Contains("extent 0 is not positive"));
    }

    [Test]
    public void Rows_OutOfRange()
    {
        using var t = Tensor.Zeros(Device, 4, 2);

        Assert.That(() => t.Rows(3, 2), Throws.TypeOf<ArgumentOutOfRangeException>()
            .With.Message.Contains("[3, 5)").And.Message.Contains("4 rows"));
    }

    [Test]
    public void Rows_OfAVector()
    {
        using var t = Tensor.Zeros(Device, 4);

        Assert.That(() => t.Rows(0, 1), Throws.InvalidOperationException.With.Message.Contains("(4,)"));
    }

    [Test]
    public void Item_OnANonScalar()
    {
        using var t = Tensor.Zeros(Device, 2, 2);

        Assert.That(() => t.Item(), Throws.InvalidOperationException.With.Message.Contains("(2, 2)"));
    }

    // ---- Disposal ----

    [Test]
    public void Op_OnADisposedTensor()
    {
        var t = Tensor.Zeros(Device, 2, 3);
        t.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Relu(t), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("Relu").And.Message.Contains("(2, 3)"));
            Assert.That(() => Ops.Sum(t), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.ToArray(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("(2, 3)"));
            Assert.That(() => t.Reshape(6), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.Clone(), Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void Op_OnATensorWhoseDeviceWasDisposed()
    {
        var device = ComputeDevice.Create("cpu");
        var t = Tensor.FromArray(device, [1f, 2f], 2);
        var labels = Labels.FromArray(device, [0, 1], 2);
        device.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Scale(t, 2f), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.ToArray(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("its device was disposed"));
            Assert.That(labels.IsDisposed, Is.True);
            Assert.That(() => labels.ToArray(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => t.Dispose(), Throws.Nothing);
            Assert.That(labels.Dispose, Throws.Nothing);
        }
    }

    [Test]
    public void View_AfterItsOwnerWasDisposed()
    {
        var owner = Tensor.Zeros(Device, 2, 3);
        var view = owner.Reshape(-1);
        var rows = owner.Rows(1, 1);
        owner.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => view.ToArray(), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("(6,)"));
            Assert.That(() => Ops.Relu(rows), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("(1, 3)"));
        }
    }

    [Test]
    public void Labels_AfterDispose()
    {
        using var logits = Tensor.Zeros(Device, 1, 2);
        var labels = Labels.FromArray(Device, [1], 2);
        labels.Dispose();

        Assert.That(() => Ops.SoftmaxCrossEntropy(logits, labels), Throws.TypeOf<ObjectDisposedException>());
    }

    // ---- Devices ----

    [Test]
    public void Op_WithTensorsOnTwoDevices()
    {
        using var other = ComputeDevice.Create("cpu");
        using var a = Tensor.Zeros(Device, 2, 2);
        using var b = Tensor.Zeros(other, 2, 2);
        using var bias = Tensor.Zeros(other, 2);
        using var labels = Labels.FromArray(other, [0, 1], 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Ops.Add(a, b), Throws.ArgumentException.With.Message.Contains("different devices"));
            Assert.That(() => Ops.MatMul(a, b), Throws.ArgumentException.With.Message.Contains("different devices"));
            Assert.That(() => Ops.AddBias(a, bias), Throws.ArgumentException.With.Message.Contains("different devices"));
            Assert.That(() => Ops.SoftmaxCrossEntropy(a, labels), Throws.ArgumentException.With.Message.Contains("labels on"));
        }
    }

    [TestCase("cuda")]
    [TestCase("opencl")]
    public void Create_KindNotPresent_ListsWhatIs(string kind)
    {
        var present = ComputeDevice.ListPresent();
        Assume.That(present, Has.None.StartsWith(kind + ":"), $"a {kind} device is present here");

        Assert.That(() => ComputeDevice.Create(kind), Throws.InvalidOperationException
            .With.Message.Contains($"No {kind}:0 device").And.Message.Contains("Present:").And.Message.Contains("cpu:0"));
    }

    [Test]
    public void Create_IndexNotPresent_ListsWhatIs()
    {
        Assert.That(() => ComputeDevice.Create("cpu:7"), Throws.InvalidOperationException
            .With.Message.Contains("No cpu:7 device").And.Message.Contains("cpu:0"));
    }

    [TestCase("tpu")]
    [TestCase("cuda:x")]
    [TestCase("")]
    [TestCase("cuda:1:2")]
    public void Parse_BadSpecification(string text)
    {
        Assert.That(() => ComputeDeviceOptions.Parse(text), Throws.ArgumentException.With.Message.Contains($"'{text}'"));
    }

    [Test]
    public void Create_NoCpuCores()
    {
        Assert.That(() => ComputeDevice.Create(new ComputeDeviceOptions { Kind = DeviceKind.Cpu, CpuCores = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("CpuCores"));
    }

    // ---- TwoLayerNet ----

    [Test]
    public void TwoLayerNet_InputOfTheWrongWidth()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 20, Hidden = 7, Classes = 3 });
        using var x = Tensor.Zeros(Device, 4, 19);
        using var labels = Labels.FromArray(Device, [0, 1, 2, 0], 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => net.Forward(x), Throws.ArgumentException.With.Message.Contains("(4, 19)").And.Message.Contains("(n, 20)"));
            Assert.That(() => net.TrainStep(x, labels, new SgdStep(0.1f)), Throws.ArgumentException.With.Message.Contains("(4, 19)"));
            Assert.That(() => net.Predict(x), Throws.ArgumentException.With.Message.Contains("(4, 19)"));
        }
    }

    [Test]
    public void TwoLayerNet_ImagesNotFlattened()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 2, Classes = 2 });
        using var image = Tensor.Zeros(Device, 2, 2);
        using var batch = image.Reshape(1, 2, 2);

        Assert.That(() => net.Forward(batch), Throws.ArgumentException.With.Message.Contains("(1, 2, 2)"));
    }

    [Test]
    public void TwoLayerNet_TrainStepLabelsDoNotMatch()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 5, Hidden = 3, Classes = 3 });
        using var x = Tensor.Zeros(Device, 4, 5);
        using var fewLabels = Labels.FromArray(Device, [0, 1, 2], 3);
        using var moreClasses = Labels.FromArray(Device, [0, 1, 2, 3], 4);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => net.TrainStep(x, fewLabels, new SgdStep(0.1f)), Throws.ArgumentException.With.Message.Contains("got 3 labels"));
            Assert.That(() => net.TrainStep(x, moreClasses, new SgdStep(0.1f)), Throws.ArgumentException.With.Message.Contains("for 4 classes"));
            Assert.That(() => net.Loss(x, fewLabels), Throws.ArgumentException.With.Message.Contains("4 rows"));
        }
    }

    [Test]
    public void TwoLayerNet_ZeroHiddenUnits()
    {
        Assert.That(() => new TwoLayerNet(Device, new TwoLayerNetOptions { Hidden = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("hidden=0"));
    }

    [Test]
    public void TwoLayerNet_AfterDispose()
    {
        var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 3, Hidden = 2, Classes = 2 });
        using var x = Tensor.Zeros(Device, 1, 3);
        net.Dispose();

        Assert.That(() => net.Forward(x), Throws.TypeOf<ObjectDisposedException>());
    }

    // ---- GradientTape and GradientCheck ----

    [Test]
    public void GradientTape_NonPersistentUsedTwice()
    {
        using var x = Tensor.Zeros(Device, 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Sum(x);
        tape.Gradient(y, x);

        Assert.That(() => tape.Gradient(y, x), Throws.InvalidOperationException.With.Message.Contains("not persistent"));
    }

    [Test]
    public void GradientTape_SourceOnAnotherDevice()
    {
        using var other = ComputeDevice.Create("cpu");
        using var x = Tensor.Zeros(Device, 2);
        using var elsewhere = Tensor.Zeros(other, 2);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = Ops.Sum(x);

        Assert.That(() => tape.Gradient(y, elsewhere), Throws.ArgumentException.With.Message.Contains("different devices"));
    }

    [Test]
    public void GradientTape_WatchADisposedTensor()
    {
        var x = Tensor.Zeros(Device, 2);
        x.Dispose();
        using var tape = new GradientTape();

        Assert.That(() => tape.Watch(x), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void GradientCheck_NonScalarFunction()
    {
        using var x = Tensor.Zeros(Device, 2, 2);

        Assert.That(() => GradientCheck.Run(() => Ops.Scale(x, 2f), [x]), Throws.ArgumentException.With.Message.Contains("(2, 2)"));
    }

    [Test]
    public void GradientCheck_NoSourcesOrBadEpsilon()
    {
        using var x = Tensor.Zeros(Device, 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), []), Throws.ArgumentException.With.Message.Contains("at least one source"));
            Assert.That(() => GradientCheck.Run(() => Ops.Sum(x), [x], epsilon: 0f), Throws.TypeOf<ArgumentOutOfRangeException>()
                .With.Property(nameof(ArgumentOutOfRangeException.ParamName)).EqualTo("epsilon"));
        }
    }
}

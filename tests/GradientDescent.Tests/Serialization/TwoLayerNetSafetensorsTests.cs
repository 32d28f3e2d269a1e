using NUnit.Framework;
using static GradientDescent.Tests.HandWrittenSafetensors;

namespace GradientDescent.Tests;

/// <summary>
/// <see cref="TwoLayerNet.SaveSafetensors"/> and <see cref="TwoLayerNet.LoadSafetensors"/> in both layouts:
/// bit-exact round trips, PyTorch's transposed (out, in) weights under its state-dict names, files written
/// by hand, and files that are valid safetensors but no TwoLayerNet, rejected before any device memory is taken.
/// </summary>
[TestFixture]
public sealed class TwoLayerNetSafetensorsTests
{
    private string _dir = "";
    private string _path = "";

    private static ComputeDevice Device => TestDevices.Shared;

    [SetUp]
    public void CreateTempDir()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gd-net-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _path = Path.Combine(_dir, "net.safetensors");
    }

    [TearDown]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    [TestCase(SafetensorsLayout.Native, true)]
    [TestCase(SafetensorsLayout.Native, false)]
    [TestCase(SafetensorsLayout.PyTorchSequential, true)]
    [TestCase(SafetensorsLayout.PyTorchSequential, false)]
    public void SaveThenLoad_RestoresEveryParameterBitForBit_AndPredictsTheSame(SafetensorsLayout layout, bool useBias)
    {
        using var net = Trained(new TwoLayerNetOptions { Inputs = 12, Hidden = 7, Classes = 5, UseBias = useBias, Seed = 3 });
        using var x = Tensor.RandomNormal(Device, [9, 12], seed: 4);

        net.SaveSafetensors(_path, layout);
        using var loaded = TwoLayerNet.LoadSafetensors(Device, _path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((loaded.Options.Inputs, loaded.Options.Hidden, loaded.Options.Classes, loaded.Options.UseBias), Is.EqualTo((12, 7, 5, useBias)));
            for (int k = 0; k < net.Parameters.Count; k++)
            {
                Assert.That(loaded.Parameters[k].Shape, Is.EqualTo(net.Parameters[k].Shape), $"parameter {k}");
                Assert.That(Bits(loaded.Parameters[k].ToArray()), Is.EqualTo(Bits(net.Parameters[k].ToArray())), $"parameter {k}");
            }

            Assert.That(loaded.Predict(x), Is.EqualTo(net.Predict(x)));
            using var before = net.Forward(x);
            using var after = loaded.Forward(x);
            Assert.That(Bits(after.ToArray()), Is.EqualTo(Bits(before.ToArray())), "logits");
        }
    }

    [Test]
    public void PyTorchLayout_StoresStateDictNames_WithWeightsTransposed()
    {
        using var net = Trained(new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2, Seed = 8 });

        net.SaveSafetensors(_path, SafetensorsLayout.PyTorchSequential);
        var file = Safetensors.Load(_path);

        var w1 = net.W1.ToArray();
        var w2 = net.W2.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.Arrays.Select(a => a.Name), Is.EqualTo(new[] { "0.bias", "0.weight", "2.bias", "2.weight" }));
            Assert.That(file.Get("0.weight").Shape, Is.EqualTo(new[] { 3, 4 }), "nn.Linear(4, 3).weight is (out, in)");
            Assert.That(file.Get("2.weight").Shape, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(file.Get("0.weight").Data, Is.EqualTo(Transpose(w1, 4, 3)));
            Assert.That(file.Get("2.weight").Data, Is.EqualTo(Transpose(w2, 3, 2)));
            Assert.That(file.Get("0.bias").Data, Is.EqualTo(net.B1!.ToArray()));
            Assert.That(file.Get("2.bias").Data, Is.EqualTo(net.B2!.ToArray()));
        }
    }

    [Test]
    public void NativeLayout_StoresTheModelFileNamesAndShapes()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 4, Hidden = 3, Classes = 2, UseBias = false });

        net.SaveSafetensors(_path);
        var file = Safetensors.Load(_path);

        Assert.That(file.Arrays.Select(a => (a.Name, a.Shape)), Is.EqualTo(new[] { ("w1", new[] { 4, 3 }), ("w2", new[] { 3, 2 }) }));
        Assert.That(file.Get("w1").Data, Is.EqualTo(net.W1.ToArray()));
    }

    [Test]
    public void LoadSafetensors_AHandWrittenPyTorchStateDict_TransposesTheWeights()
    {
        // nn.Linear(2, 3) then nn.Linear(3, 2), weights as PyTorch holds them: (out, in).
        Entry[] stateDict =
        [
            new("0.weight", [3, 2], [1, 2, 3, 4, 5, 6]),
            new("0.bias", [3], [0.1f, 0.2f, 0.3f]),
            new("2.weight", [2, 3], [-1, -2, -3, -4, -5, -6]),
            new("2.bias", [2], [7, 8]),
        ];
        File.WriteAllBytes(_path, Write(stateDict));

        using var net = TwoLayerNet.LoadSafetensors(Device, _path);
        using var x = Tensor.FromArray(Device, [1f, 1f], 1, 2);
        using var logits = net.Forward(x);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((net.Options.Inputs, net.Options.Hidden, net.Options.Classes), Is.EqualTo((2, 3, 2)));
            Assert.That(net.W1.ToArray(), Is.EqualTo(new float[] { 1, 3, 5, 2, 4, 6 }), "W1 = 0.weightᵀ, (in, out)");
            Assert.That(net.W2.ToArray(), Is.EqualTo(new float[] { -1, -4, -2, -5, -3, -6 }));

            // As PyTorch computes it: h = relu(x·0.weightᵀ + 0.bias) = [3.1, 7.2, 11.3], logits = h·2.weightᵀ + 2.bias.
            Assert.That(logits.ToArray(), Is.EqualTo(new[] { -44.4f, -108.2f }).Within(1e-4f));
        }
    }

    [TestCaseSource(nameof(NotANet))]
    public void LoadSafetensors_NotATwoLayerNet_IsRejectedBeforeAnyDeviceMemoryIsTaken(Entry[] tensors, string expected)
    {
        File.WriteAllBytes(_path, Write(tensors));
        long before = Device.AllocatedBytes;

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.LoadSafetensors(Device, _path));

        Assert.That(e!.Message, Does.StartWith(_path).And.Contain(expected));
        Assert.That(Device.AllocatedBytes, Is.EqualTo(before), "nothing stays allocated");
    }

    [Test]
    public void LoadSafetensors_MalformedFile_IsRejectedBeforeAnyDeviceMemoryIsTaken()
    {
        var bytes = Write([new("w1", [2, 2], [1, 2, 3, 4]), new("w2", [2, 1], [5, 6])]);
        File.WriteAllBytes(_path, bytes[..^1]);
        long before = Device.AllocatedBytes;

        var e = Assert.Throws<InvalidDataFormatException>(() => TwoLayerNet.LoadSafetensors(Device, _path));

        Assert.That(e!.Message, Does.Contain("run past the end"));
        Assert.That(Device.AllocatedBytes, Is.EqualTo(before));
    }

    [Test]
    public void SaveSafetensors_UndefinedLayout_Throws()
    {
        using var net = new TwoLayerNet(Device, new TwoLayerNetOptions { Inputs = 2, Hidden = 2, Classes = 2 });

        Assert.Throws<ArgumentOutOfRangeException>(() => net.SaveSafetensors(_path, (SafetensorsLayout)7));
        Assert.That(Directory.GetFiles(_dir), Is.Empty);
    }

    private static IEnumerable<TestCaseData> NotANet()
    {
        static Entry T(string name, params int[] shape) => new(name, shape, new float[shape.Aggregate(1, (a, b) => a * b)]);
        TestCaseData Case(string name, string expected, params Entry[] tensors) => new TestCaseData(tensors, expected).SetName(name);

        yield return Case("neither layout", "fit neither layout", T("fc1.weight", 3, 2), T("fc2.weight", 2, 3));
        yield return Case("no tensors", "the file holds no tensors");
        yield return Case("both layouts mixed", "fit both layouts at once", T("w1", 2, 3), T("2.weight", 2, 3));
        yield return Case("missing second weight (native)", "needs arrays 'w1' and 'w2'", T("w1", 2, 3), T("b1", 3));
        yield return Case("missing first weight (PyTorch)", "needs arrays '0.weight' and '2.weight'", T("2.weight", 2, 3));
        yield return Case("a third PyTorch layer", "unknown arrays '4.weight'", T("0.weight", 3, 2), T("2.weight", 2, 3), T("4.weight", 2, 2));
        yield return Case("one bias", "both biases '0.bias' and '2.bias' or neither", T("0.weight", 3, 2), T("0.bias", 3), T("2.weight", 2, 3));
        yield return Case("shapes not chaining (PyTorch)", "'2.weight' must have 3 columns, one per hidden unit of '0.weight'", T("0.weight", 3, 2), T("2.weight", 2, 4));
        yield return Case("shapes not chaining (native)", "'w2' must have 3 rows", T("w1", 2, 3), T("w2", 4, 2));
        yield return Case("bias of the wrong length", "'0.bias' must be [3] and '2.bias' [2]", T("0.weight", 3, 2), T("0.bias", 2), T("2.weight", 2, 3), T("2.bias", 2));
        yield return Case("weight not a matrix", "must be non-empty matrices", T("0.weight", 6), T("2.weight", 2, 3));
        yield return Case("weight with a zero extent", "must be non-empty matrices", T("w1", 0, 3), T("w2", 3, 2));
    }

    private static TwoLayerNet Trained(TwoLayerNetOptions options)
    {
        // One step moves the biases off zero, so every saved value is non-trivial.
        var net = new TwoLayerNet(Device, options);
        using var x = Tensor.RandomNormal(Device, [8, options.Inputs], seed: 5);
        using var labels = Labels.FromArray(Device, [.. Enumerable.Range(0, 8).Select(i => i % options.Classes)], options.Classes);
        net.TrainStep(x, labels, new SgdStep(0.3f));
        return net;
    }

    private static float[] Transpose(float[] data, int rows, int columns)
    {
        var result = new float[data.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                result[(c * rows) + r] = data[(r * columns) + c];
        }

        return result;
    }

    private static int[] Bits(float[] data) => Array.ConvertAll(data, BitConverter.SingleToInt32Bits);
}

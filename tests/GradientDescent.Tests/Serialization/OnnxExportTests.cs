using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Exported ONNX models run in ONNX Runtime and give what the library computes: a TwoLayerNet trained
/// on the shipped digits, with and without the softmax, and a deeper dense chain against float64.
/// </summary>
/// <remarks>
/// Tolerance: <c>|ort − ours| ≤ 1e-5 · max(1, |ours|)</c>. Both are float32 evaluations of the same
/// network that differ only in summation order and fused multiply-adds; each output sums at most 784
/// products per layer, whose rounding differences stay within a few √k·u ≈ 28 · 6e-8 ≈ 2e-6 of the
/// magnitude of the sum (measured: at most 5e-7). 1e-5, relative once a logit exceeds 1, leaves that margin
/// while a transposed weight, a missing bias or a wrong activation moves the outputs by 1e-2 or more
/// (dropping the biases from the export: 0.8).
/// </remarks>
[TestFixture]
public sealed class OnnxExportTests
{
    private const double Tolerance = 1e-5;
    private const int Digits = 200;

    private string _dir = "";
    private TwoLayerNet _net = null!;
    private float[] _pixels = [];
    private int[] _labels = [];

    private static ComputeDevice Device => TestDevices.Shared;

    [OneTimeSetUp]
    public void TrainOnShippedDigits()
    {
        _dir = Directory.CreateTempSubdirectory("gd-onnx-").FullName;
        using var data = Mnist10k.Load(Device, trainCount: 2000, testCount: Digits);
        _net = new TwoLayerNet(Device, new TwoLayerNetOptions { Seed = 1 });
        new Trainer(_net, new TrainerOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.5f }).Fit(data.Train.Images, data.Train.Labels);
        _pixels = data.Test.Images.ToArray();
        _labels = data.Test.Labels.ToArray();
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _net.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void TwoLayerNet_LogitsFromOnnxRuntime_MatchOurs()
    {
        string path = Path.Combine(_dir, "net.onnx");
        _net.ExportOnnx(path);
        float[] ours = Logits();

        using var session = new InferenceSession(path);
        float[] theirs = Run(session, "logits", _pixels, Digits, 784);

        AssertClose(theirs, [.. ours.Select(v => (double)v)], "logits");
        int[] predicted = [.. Enumerable.Range(0, Digits).Select(r => ArgMax(theirs.AsSpan(r * 10, 10)))];
        Assert.That(predicted.Zip(_labels).Count(p => p.First == p.Second), Is.GreaterThan(0.8 * Digits), "the trained net classifies the held-out digits through ONNX Runtime");
        Assert.That(Run(session, "logits", _pixels[..784], 1, 784), Is.EqualTo(theirs[..10]).Within(1e-6f), "the batch dimension is free: one row alone");
    }

    [Test]
    public void TwoLayerNet_WithSoftmax_ProbabilitiesMatchTheSoftmaxOfOurLogits()
    {
        string path = Path.Combine(_dir, "net-softmax.onnx");
        _net.ExportOnnx(path, softmax: true);
        float[] logits = Logits();
        var expected = new double[logits.Length];
        for (int r = 0; r < Digits; r++)
        {
            var row = logits.AsSpan(r * 10, 10).ToArray().Select(v => (double)v).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < 10; c++)
                expected[(r * 10) + c] = Math.Exp(row[c] - max) / sum;
        }

        using var session = new InferenceSession(path);
        float[] probabilities = Run(session, "probabilities", _pixels, Digits, 784);

        AssertClose(probabilities, expected, "probabilities");
    }

    [TestCase(false, "logits")]
    [TestCase(true, "probabilities")]
    public void Session_ReportsTheNamesShapesAndProducer(bool softmax, string output)
    {
        string path = Path.Combine(_dir, $"meta-{softmax}.onnx");
        _net.ExportOnnx(path, softmax);

        using var session = new InferenceSession(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { "input" }));
            Assert.That(session.OutputMetadata.Keys, Is.EqualTo(new[] { output }));
            var input = session.InputMetadata["input"];
            var result = session.OutputMetadata[output];
            Assert.That(input.ElementDataType, Is.EqualTo(TensorElementType.Float));
            Assert.That(result.ElementDataType, Is.EqualTo(TensorElementType.Float));
            Assert.That(input.Dimensions, Is.EqualTo(new[] { -1, 784 }));
            Assert.That(input.SymbolicDimensions, Is.EqualTo(new[] { "batch", "" }));
            Assert.That(result.Dimensions, Is.EqualTo(new[] { -1, 10 }));
            Assert.That(result.SymbolicDimensions[0], Is.EqualTo("batch"));
            Assert.That(session.ModelMetadata.ProducerName, Is.EqualTo("GradientDescent"));
            Assert.That(session.ModelMetadata.GraphName, Is.EqualTo("TwoLayerNet"));
        }
    }

    [TestCase(DenseActivation.None)]
    [TestCase(DenseActivation.Sigmoid)]
    [TestCase(DenseActivation.Relu)]
    public void DenseChain_ThreeLayersWithTanh_MatchesFloat64(DenseActivation last)
    {
        var random = new Random(11);
        float[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => (float)(scale * ((2 * random.NextDouble()) - 1)))];
        DenseLayer[] layers =
        [
            new(Values(13 * 11, 0.6), 13, 11, Values(11, 0.5), DenseActivation.Tanh),
            new(Values(11 * 7, 0.6), 11, 7, bias: null, DenseActivation.Tanh),
            new(Values(7 * 5, 0.8), 7, 5, Values(5, 0.5), last),
        ];
        const int rows = 17;
        float[] x = Values(rows * 13, 2.0);
        string path = Path.Combine(_dir, $"chain-{last}.onnx");

        OnnxExport.SaveDense(path, layers);
        using var session = new InferenceSession(path);
        float[] theirs = Run(session, "logits", x, rows, 13);

        AssertClose(theirs, Reference(layers, x, rows), $"3 layers ending in {last}");
        Assert.That(session.OutputMetadata["logits"].Dimensions, Is.EqualTo(new[] { -1, 5 }));
    }

    [Test]
    public void SaveDense_BadChains_AreRejectedAndWriteNothing()
    {
        string path = Path.Combine(_dir, "bad.onnx");
        var first = new DenseLayer(new float[6], 2, 3, activation: DenseActivation.Relu);
        var second = new DenseLayer(new float[8], 4, 2);

        var e = Assert.Throws<ArgumentException>(() => OnnxExport.SaveDense(path, [first, second]));
        Assert.That(e!.Message, Does.Contain("layer 1 takes 4 inputs but layer 0 gives 3 outputs").And.Contain("(2, 3)").And.Contain("(4, 2)"));
        Assert.Throws<ArgumentException>(() => OnnxExport.SaveDense(path, []));
        Assert.Throws<ArgumentNullException>(() => OnnxExport.SaveDense(path, [first, null!]));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void DenseLayer_InconsistentArrays_AreRejectedNamingTheShape()
    {
        var weights = Assert.Throws<ArgumentException>(() => _ = new DenseLayer(new float[5], 2, 3));
        var bias = Assert.Throws<ArgumentException>(() => _ = new DenseLayer(new float[6], 2, 3, new float[2]));
        using var matrix = Tensor.Zeros(Device, 2, 3);
        using var wrongBias = Tensor.Zeros(Device, 4);

        Assert.That(weights!.Message, Does.Contain("weights of shape (2, 3) need 6 values but the array has 5"));
        Assert.That(bias!.Message, Does.Contain("needs 3 values but has 2"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DenseLayer(new float[6], 2, 3, activation: (DenseActivation)9));
        Assert.That(Assert.Throws<ArgumentException>(() => DenseLayer.FromTensors(matrix, wrongBias))!.Message, Does.Contain("(4,)").And.Contain("(2, 3)"));
        Assert.That(DenseLayer.FromTensors(matrix).Weights, Has.Length.EqualTo(6));
    }

    private float[] Logits()
    {
        using var x = Tensor.FromArray(Device, _pixels, Digits, 784);
        using var logits = _net.Forward(x);
        return logits.ToArray();
    }

    private static float[] Run(InferenceSession session, string output, float[] x, int rows, int columns)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, [rows, columns]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [input], [output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    // The chain in float64 from the same float32 parameters: y = activation(x·W + b), layer by layer.
    private static double[] Reference(DenseLayer[] layers, float[] x, int rows)
    {
        double[] current = [.. x.Select(v => (double)v)];
        foreach (var layer in layers)
        {
            var next = new double[rows * layer.Outputs];
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < layer.Outputs; j++)
                {
                    double z = layer.Bias?[j] ?? 0;
                    for (int i = 0; i < layer.Inputs; i++)
                        z += current[(r * layer.Inputs) + i] * layer.Weights[(i * layer.Outputs) + j];
                    next[(r * layer.Outputs) + j] = layer.Activation switch
                    {
                        DenseActivation.Relu => Math.Max(0, z),
                        DenseActivation.Tanh => Math.Tanh(z),
                        DenseActivation.Sigmoid => 1 / (1 + Math.Exp(-z)),
                        _ => z,
                    };
                }
            }

            current = next;
        }

        return current;
    }

    private static void AssertClose(float[] actual, double[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        int worst = Enumerable.Range(0, actual.Length).MaxBy(i => Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i])));
        double error = Math.Abs(actual[worst] - expected[worst]);
        TestContext.Out.WriteLine($"{what}: worst |difference| {error:E2} at {worst} ({actual[worst]} vs {expected[worst]})");
        Assert.That(error, Is.LessThanOrEqualTo(Tolerance * Math.Max(1, Math.Abs(expected[worst]))),
            $"{what}: element {worst} is {actual[worst]} but {expected[worst]} was expected");
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
                best = c;
        }

        return best;
    }
}

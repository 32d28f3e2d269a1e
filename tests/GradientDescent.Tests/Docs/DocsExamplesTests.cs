using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The C# in README.md, docs/getting-started.md, docs/mnist.md, docs/reliability.md and docs/export.md is compiled: it appears in
/// samples/QuickStart (which CI builds and runs) or here, where it runs on the device under test.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DocsExamplesTests
{
    private const string QuickStart = "samples/QuickStart/Program.cs";

    [TestCase("README.md", 1)]
    [TestCase("docs/getting-started.md", 3)]
    [TestCase("docs/mnist.md", 1)]
    [TestCase("docs/reliability.md", 1)]
    [TestCase("docs/export.md", 4)]
    public void EveryCodeBlock_IsCompiled(string document, int blocks) =>
        DocumentedCode.AssertEveryBlockIsCompiled(document, blocks, QuickStart, ThisFile());

    [Test]
    public void RealData_TrainsAndSaves() => InTemporaryFolder(folder =>
    {
        var device = TestDevices.Shared;
        using var data = Mnist10k.Load(device);   // or Mnist.LoadFolder(device, "/path/to/mnist")
        using var net = new TwoLayerNet(device);
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 15, BatchSize = 64, LearningRate = 0.5f });
        var history = trainer.Fit(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels);
        net.Save("mnist.gdm");

        // The documented defaults clear the sample's 95% bar on the held-out digits.
        Assert.That(history[^1].TestAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(File.Exists(Path.Combine(folder, "mnist.gdm")), Is.True);
    });

    [Test]
    public void MnistSample_LibraryParts_Run() => InTemporaryFolder(_ =>
    {
        Directory.CreateDirectory("out/mnist");
        using var device = ComputeDevice.Create();
        using var data = Mnist10k.Load(device);               // or Mnist.LoadFolder(device, "/data/mnist")
        using var net = new TwoLayerNet(device, new TwoLayerNetOptions { Hidden = 100, Seed = 0 });
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 15, BatchSize = 64, LearningRate = 0.5f });
        var history = trainer.Fit(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels);
        net.Save("out/mnist/mnist-model.gdm");
        using var again = TwoLayerNet.Load(device, "out/mnist/mnist-model.gdm");
        Assert.That(again.Accuracy(data.Test.Images, data.Test.Labels), Is.EqualTo(history[^1].TestAccuracy));
    });

    [Test]
    public void GradientCheck_OnYourOwnFunction()
    {
        var device = TestDevices.Shared;
        using var a = Tensor.RandomNormal(device, [5, 7], seed: 1);
        using var b = Tensor.RandomNormal(device, [7, 3], seed: 2);
        var result = GradientCheck.Run(() => Ops.Mean(Ops.Relu(Ops.MatMul(a, b))), [a, b]);
        Console.WriteLine(result);   // passed or failed, and the worst elements: tape against central differences
        Assert.That(result.Passed, Is.True, result.Report);
    }

    [Test]
    public void CheckNumerics_StopsAtTheFirstBadOperation()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { CheckNumerics = true });
        using var x = Tensor.FromArray(device, [1f, 3e38f], 2);
        var e = Assert.Throws<NonFiniteValueException>(() => Ops.Scale(x, 10f))!;
        Assert.That(e.Message, Does.StartWith("Scale produced +∞ in its result of shape (2,)"));
    }

    [Test]
    public void Export_OnnxAndSafetensors() => InTemporaryFolder(_ =>
    {
        var device = TestDevices.Shared;
        using var net = new TwoLayerNet(device, new TwoLayerNetOptions { Seed = 4 });
        net.ExportOnnx("mnist.onnx");                                  // input (batch, 784) → logits (batch, 10)
        net.ExportOnnx("mnist-probabilities.onnx", softmax: true);     // → probabilities (batch, 10)
        float[] pixels = [.. Enumerable.Range(0, 784).Select(i => (i % 29) / 28f)];
        using var session = new InferenceSession("mnist.onnx");
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 784]);   // one 28×28 digit in [0, 1]
        using var results = session.Run(new RunOptions(), ["input"], [input], ["logits"]);
        float[] logits = results[0].GetTensorDataAsSpan<float>().ToArray();
        using (var x = Tensor.FromArray(device, pixels, 1, 784))
        using (var ours = net.Forward(x))
            Assert.That(logits, Is.EqualTo(ours.ToArray()).Within(1e-4f));

        using var w1 = Tensor.RandomNormal(device, [784, 256], seed: 1);
        using var b1 = Tensor.Zeros(device, 256);
        using var w2 = Tensor.RandomNormal(device, [256, 64], seed: 2);
        using var b2 = Tensor.Zeros(device, 64);
        using var w3 = Tensor.RandomNormal(device, [64, 10], seed: 3);
        using var b3 = Tensor.Zeros(device, 10);
        DenseLayer[] layers =
        [
            DenseLayer.FromTensors(w1, b1, DenseActivation.Tanh),   // w1 (784, 256), b1 (256)
            DenseLayer.FromTensors(w2, b2, DenseActivation.Tanh),   // w2 (256, 64), b2 (64)
            DenseLayer.FromTensors(w3, b3),                         // w3 (64, 10): logits
        ];
        OnnxExport.SaveDense("mlp.onnx", layers, softmax: true);
        using (var mlp = new InferenceSession("mlp.onnx"))
            Assert.That(mlp.OutputMetadata["probabilities"].Dimensions, Is.EqualTo(new[] { -1, 10 }));

        net.SaveSafetensors("mnist.safetensors", SafetensorsLayout.PyTorchSequential);
        using var back = TwoLayerNet.LoadSafetensors(device, "mnist.safetensors");   // either layout, by its names
        Assert.That(back.W1.ToArray(), Is.EqualTo(net.W1.ToArray()));
    });

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>Runs documented code that writes relative paths inside a fresh folder, then deletes it.</summary>
    private static void InTemporaryFolder(Action<string> body)
    {
        string folder = Directory.CreateTempSubdirectory("gd-docs-").FullName;
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = folder;
        try
        {
            body(folder);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(folder, recursive: true);
        }
    }
}

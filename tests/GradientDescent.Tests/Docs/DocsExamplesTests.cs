using System.Runtime.CompilerServices;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// The C# in README.md, docs/getting-started.md, docs/mnist.md and docs/reliability.md is compiled: it appears in
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
        Console.WriteLine(result);   // worst relative error per source, tape against central differences
        Assert.That(result.MaxRelativeError, Is.LessThan(5e-2), result.ToString());
    }

    [Test]
    public void CheckNumerics_StopsAtTheFirstBadOperation()
    {
        using var device = ComputeDevice.Create(new ComputeDeviceOptions { CheckNumerics = true });
        using var x = Tensor.FromArray(device, [1f, 3e38f], 2);
        var e = Assert.Throws<NonFiniteValueException>(() => Ops.Scale(x, 10f))!;
        Assert.That(e.Message, Does.StartWith("Scale produced +∞ in its result of shape (2,)"));
    }

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

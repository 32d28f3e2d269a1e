using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace GradientDescent.Tests;

/// <summary>
/// Runs the code of docs/tutorial.md and docs/tutorial.es.md, block by block, and checks that every
/// block of both documents still appears here line for line (comments and blank lines aside).
/// </summary>
[TestFixture]
public sealed partial class TutorialTests
{
    [Test]
    public void Step0_CreatesADevice()
    {
        using var device = ComputeDevice.Create();
        Console.WriteLine(device);

        Assert.That(device.Name, Is.Not.Empty);
    }

    [Test]
    public void Walkthrough_LoadsMnist_ComputesTheLoss_AndLearns()
    {
        var device = TestDevices.Shared;

        string folder = Mnist10k.Folder;   // data/mnist-10k beside the app (the GradientDescent.Mnist10k package)
        var mnist = MnistData.Read(
            Path.Combine(folder, "mnist-10k-images-idx3-ubyte.gz"),
            Path.Combine(folder, "mnist-10k-labels-idx1-ubyte.gz"));
        Console.WriteLine($"{mnist.Count} digits of {mnist.ImageRows}x{mnist.ImageColumns}");
        var trainData = mnist.Slice(0, 256);
        var testData = mnist.Slice(9500, 500);
        Assert.That((mnist.Count, mnist.ImageRows, mnist.ImageColumns), Is.EqualTo((10000, 28, 28)));

        using var images = Tensor.FromBytes(device, trainData.Pixels, [trainData.Count, 28, 28], scale: 1f / 255);
        using var x = images.Reshape(-1, 784);
        using var y = Labels.FromBytes(device, trainData.Labels, classes: 10);
        using var testSet = testData.ToDevice(device);
        Console.WriteLine(x.ShapeText);
        Assert.That(x.ShapeText, Is.EqualTo("(256, 784)"));
        Assert.That(testSet.Images.ShapeText, Is.EqualTo("(500, 784)"));

        using var w1 = Tensor.RandomNormal(device, [784, 100], std: 1e-4f, seed: 1);
        using var w2 = Tensor.RandomNormal(device, [100, 10], std: 1e-4f, seed: 2);
        w1.IsTrainable = true;
        w2.IsTrainable = true;

        using var z1 = Ops.MatMul(x, w1);
        using var h = Ops.Relu(z1);
        using var logits = Ops.MatMul(h, w2);
        Assert.That(logits.ShapeText, Is.EqualTo("(256, 10)"));

        using var logProbabilities = Ops.LogSoftmax(logits);
        using var perExample = Ops.SoftmaxCrossEntropy(logits, y);
        using var loss = Ops.Mean(perExample);
        Console.WriteLine(loss.Item());
        Assert.That(loss.Item(), Is.EqualTo(MathF.Log(10)).Within(1e-4));

        float[] logP = logProbabilities.ToArray();
        int[] labels = y.ToArray();
        float[] crossEntropy = perExample.ToArray();
        Console.WriteLine($"{crossEntropy[0]} = {-logP[labels[0]]}");
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.That(crossEntropy[i], Is.EqualTo(-logP[(i * 10) + labels[i]]).Within(1e-5), $"example {i}");
        }

        using var column = Tensor.FromArray(device, [.. labels.Select(label => (float)label)], labels.Length, 1);
        bool rejected = false;
        try
        {
            Ops.SoftmaxCrossEntropy(logits, column);
        }
        catch (ArgumentException e)
        {
            Console.WriteLine(e.Message);
            rejected = e.Message.Contains("(256, 1)", StringComparison.Ordinal);
        }

        Assert.That(rejected, Is.True, "a (n, 1) label column is refused with both shapes in the message");

        using var sparse = Ops.SoftmaxCrossEntropy(logits, y);
        float[] oneHotValues = new float[labels.Length * 10];
        for (int i = 0; i < labels.Length; i++)
        {
            oneHotValues[(i * 10) + labels[i]] = 1f;
        }

        using var oneHot = Tensor.FromArray(device, oneHotValues, labels.Length, 10);
        using var dense = Ops.SoftmaxCrossEntropy(logits, oneHot);
        Assert.That(dense.ToArray(), Is.EqualTo(sparse.ToArray()).Within(1e-6));

        var sgd = new SgdStep(learningRate: 0.5f);
        using (var tape = new GradientTape())
        {
            var stepLogits = Ops.MatMul(Ops.Relu(Ops.MatMul(x, w1)), w2);
            var stepLoss = Ops.Mean(Ops.SoftmaxCrossEntropy(stepLogits, y));
            var grads = tape.Gradient(stepLoss, w1, w2);
            Assert.That(grads.Select(g => g!.ShapeText), Is.EqualTo(new[] { "(784, 100)", "(100, 10)" }));
            sgd.Apply([w1, w2], grads);
        }

        double accuracy = 0;
        int steps = 1;
        for (int step = 2; step <= 300 && accuracy < 0.9; step++)
        {
            using var tape = new GradientTape();
            var stepLogits = Ops.MatMul(Ops.Relu(Ops.MatMul(x, w1)), w2);
            var stepLoss = Ops.Mean(Ops.SoftmaxCrossEntropy(stepLogits, y));
            sgd.Apply([w1, w2], tape.Gradient(stepLoss, w1, w2));
            if (step % 10 == 0)
            {
                accuracy = Ops.Accuracy(stepLogits, y);
                Console.WriteLine($"step {step}: loss {stepLoss.Item():0.0000}, train accuracy {accuracy:P1}");
            }

            steps = step;
        }

        using var testZ1 = Ops.MatMul(testSet.Images, w1);
        using var testH = Ops.Relu(testZ1);
        using var testLogits = Ops.MatMul(testH, w2);
        double testAccuracy = Ops.Accuracy(testLogits, testSet.Labels);
        Console.WriteLine($"test accuracy {testAccuracy:P1}");

        TestContext.Progress.WriteLine($"Tutorial loop: {steps} steps to train accuracy {accuracy:P1}; held-out {testAccuracy:P1}.");
        Assert.That(accuracy, Is.GreaterThanOrEqualTo(0.9f), $"the loop stopped after {steps} steps without learning");
        Assert.That(testAccuracy, Is.GreaterThan(0.6f), "256 digits generalise well above chance (10%)");

        using var net = new TwoLayerNet(device, new TwoLayerNetOptions { Init = WeightInit.He, Seed = 1 });
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 5, BatchSize = 64, LearningRate = 0.5f });
        var history = trainer.Fit(x, y, testSet.Images, testSet.Labels);
        Console.WriteLine($"test accuracy {history[^1].TestAccuracy:P1}");
        Assert.That(history[^1].TestAccuracy, Is.GreaterThan(0.6));
    }

    [TestCase("tutorial.md")]
    [TestCase("tutorial.es.md")]
    public void EveryCodeBlock_OfTheTutorial_IsRunHere(string document) =>
        DocumentedCode.AssertEveryBlockIsCompiled(Path.Combine("docs", document), 8, ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;
}

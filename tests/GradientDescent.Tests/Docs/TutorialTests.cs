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
        Walkthrough(TestDevices.Shared);

        // The tutorial's literal update w1 = w1 - lr * dw1 drops the old tensors to the garbage collector;
        // once the walkthrough's frame is gone they are unreachable, and after a collection nothing is held.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Walkthrough(ComputeDevice device)
    {

        string folder = Mnist10k.Folder;   // data/mnist-10k beside the app (the GradientDescent.Mnist10k package)
        var mnist = MnistData.Read(
            Path.Combine(folder, "mnist-10k-images-idx3-ubyte.gz"),
            Path.Combine(folder, "mnist-10k-labels-idx1-ubyte.gz"));
        Console.WriteLine($"{mnist.Count} digits of {mnist.ImageRows}x{mnist.ImageColumns}");
        var trainData = mnist.Slice(0, 256);
        var testData = mnist.Slice(9500, 500);
        Assert.That((mnist.Count, mnist.ImageRows, mnist.ImageColumns), Is.EqualTo((10000, 28, 28)));

        using var raw = Tensor.FromBytes(device, trainData.Pixels, [trainData.Count, 28, 28]);
        using var rows = raw.Reshape(-1, 784);
        using var x = rows / 255f;
        using var y = Labels.FromBytes(device, trainData.Labels, classes: 10);
        using var testSet = testData.ToDevice(device);
        Console.WriteLine(x.ShapeText);
        Assert.That(x.ShapeText, Is.EqualTo("(256, 784)"));
        Assert.That(raw.ToArray().Max(), Is.EqualTo(255f), "the plain cast keeps 0..255");
        Assert.That(x.ToArray(), Is.EqualTo(Scaled(trainData)), "rows / 255f divides each byte by 255");

        Console.WriteLine(x[..2]);
        Console.WriteLine(x[..2].ToString(new TensorPrintOptions { EdgeItems = 2, Precision = 3 }));
        Assert.That(x[..2].ToString(), Does.StartWith("<Tensor: shape=(2, 784)"));

        var w1 = Tensor.RandomNormal(device, [784, 100], seed: 1) * 0.0001f;
        var w2 = Tensor.RandomNormal(device, [100, 10], seed: 2) * 0.0001f;
        w1.IsTrainable = true;
        w2.IsTrainable = true;

        using var z1 = Ops.MatMul(x, w1);
        using var h = Ops.Maximum(z1, 0f);
        using var logits = Ops.MatMul(h, w2);
        Assert.That(logits.ShapeText, Is.EqualTo("(256, 10)"));

        using var sums = Ops.Sum(Ops.Exp(logits), axis: -1, keepDims: true);
        using var logP = logits - Ops.Log(sums);
        using var logProbabilities = Ops.LogSoftmax(logits);
        // Logits here are about 1e-4: each log-probability is ln 10 plus tiny terms, and the primitive
        // form rounds a handful of times (exp, a 10-term sum, log, a subtraction) on values near 2.3.
        Assert.That(logP.ToArray(), Is.EqualTo(logProbabilities.ToArray()).Within(8 * 2.3 * Tolerance.U));

        using var picked = Ops.Gather(logP, [0, 1], [4, 0]);
        using var nll = -Ops.Mean(Ops.Gather(logP, y));
        Console.WriteLine(nll.Item());
        Assert.That(picked.ToArray(), Is.EqualTo(new[] { logP.ToArray()[4], logP.ToArray()[10] }));
        Assert.That(nll.Item(), Is.EqualTo(MathF.Log(10)).Within(1e-4));

        using var perExample = Ops.SoftmaxCrossEntropy(logits, y);
        using var costo = Ops.Sum(perExample) / perExample.Shape[0];
        using var loss = Ops.Mean(perExample);
        float[] crossEntropy = perExample.ToArray();
        float[] logPValues = logProbabilities.ToArray();
        int[] labels = y.ToArray();
        Console.WriteLine($"{crossEntropy[0]} = {-logPValues[labels[0]]}");
        Assert.That(costo.Item(), Is.EqualTo(loss.Item()).Within(1e-6));
        Assert.That(nll.Item(), Is.EqualTo(loss.Item()).Within(1e-5));
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.That(crossEntropy[i], Is.EqualTo(-logPValues[(i * 10) + labels[i]]).Within(1e-5), $"example {i}");
        }

        using var column = Tensor.FromArray(device, [.. labels.Select(label => (float)label)], labels.Length, 1);
        string message = "";
        try
        {
            Ops.SoftmaxCrossEntropy(logits, column);
        }
        catch (ArgumentException e)
        {
            Console.WriteLine(e.Message);
            message = e.Message;
        }

        Assert.That(message, Does.Contain("(256, 1)").And.Contain("Ops.OneHot"), "the (n, 1) label column is refused and explained");

        using var sparse = Ops.SoftmaxCrossEntropy(logits, y);
        using var oneHot = Ops.OneHot(y);
        using var dense = Ops.SoftmaxCrossEntropy(logits, oneHot);
        Assert.That(dense.ToArray(), Is.EqualTo(sparse.ToArray()).Within(1e-6));

        const float learningRate = 0.5f;
        double accuracy = 0;
        int steps = 0;
        for (int step = 1; step <= 300 && accuracy < 0.9; step++)
        {
            using var tape = new GradientTape();
            tape.Watch(w1);
            tape.Watch(w2);
            var stepLogits = Ops.MatMul(Ops.Maximum(Ops.MatMul(x, w1), 0f), w2);
            var stepCost = Ops.Sum(Ops.SoftmaxCrossEntropy(stepLogits, y)) / x.Shape[0];
            var grads = tape.Gradient(stepCost, [w1, w2]);
            w1 = w1 - (learningRate * grads[0]!);
            w2 = w2 - (learningRate * grads[1]!);
            if (step % 10 == 0)
            {
                accuracy = Ops.Accuracy(stepLogits, y);
                Console.WriteLine($"step {step}: loss {stepCost.Item():0.0000}, train accuracy {accuracy:P1}");
            }

            steps = step;
        }

        using var testZ1 = Ops.MatMul(testSet.Images, w1);
        using var testH = Ops.Relu(testZ1);
        using var testLogits = Ops.MatMul(testH, w2);
        double testAccuracy = Ops.Accuracy(testLogits, testSet.Labels);
        Console.WriteLine($"test accuracy {testAccuracy:P1}");
        w1.Dispose();
        w2.Dispose();

        TestContext.Progress.WriteLine($"Tutorial loop: {steps} steps to train accuracy {accuracy:P1}; held-out {testAccuracy:P1}.");
        Assert.That(accuracy, Is.GreaterThanOrEqualTo(0.9f), $"the loop stopped after {steps} steps without learning");
        Assert.That(testAccuracy, Is.GreaterThan(0.6f), "256 digits generalise well above chance (10%)");

        using var net = new TwoLayerNet(device, new TwoLayerNetOptions { Init = WeightInit.He, Seed = 1 });
        var trainer = new Trainer(net, new TrainerOptions { Epochs = 5, BatchSize = 64, LearningRate = 0.5f });
        var history = trainer.Fit(x, y, testSet.Images, testSet.Labels);
        Console.WriteLine($"test accuracy {history[^1].TestAccuracy:P1}");
        Assert.That(history[^1].TestAccuracy, Is.GreaterThan(0.6));
    }

    /// <summary>The pixels of <paramref name="data"/> as float32 / 255, the value each must have after <c>rows / 255f</c>.</summary>
    private static float[] Scaled(MnistData data) => [.. data.Pixels.ToArray().Select(p => p / 255f)];

    [TestCase("tutorial.md")]
    [TestCase("tutorial.es.md")]
    public void EveryCodeBlock_OfTheTutorial_IsRunHere(string document) =>
        DocumentedCode.AssertEveryBlockIsCompiled(Path.Combine("docs", document), 8, ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;
}

// Trains a 784 → 100 → 10 net whose activation is the custom LeakyRelu op on the shipped digits.
using System.Diagnostics;
using CustomKernel;
using GradientDescent;

using var device = ComputeDevice.Create();          // CUDA, else OpenCL, else the CPU
using var data = Mnist10k.Load(device);             // 8000 training and 2000 test digits
using var net = new LeakyReluNet(device, seed: 1);
var sgd = new SgdStep(learningRate: 0.5f);
using var batches = new BatchGather(data.Train.Images, data.Train.Labels, capacity: 64);
var order = Enumerable.Range(0, data.Train.Count).ToArray();
var random = new Random(1);
var clock = Stopwatch.StartNew();

for (int epoch = 1; epoch <= 5; epoch++)
{
    random.Shuffle(order);
    for (int start = 0; start < order.Length; start += 64)
    {
        var (x, y) = batches.Next(order.AsSpan(start, Math.Min(64, order.Length - start)));
        using var tape = new GradientTape();
        var loss = net.Loss(x, y);
        sgd.Apply(net.Parameters, tape.Gradient(loss, net.Parameters));
    }

    Console.WriteLine($"epoch {epoch}: test accuracy {net.Accuracy(data.Test.Images, data.Test.Labels):P2}");
}

Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s on {device}");

// A deeper net than TwoLayerNet, written only from public ops: 784 → 256 → 128 → 10 with tanh, trained on
// the 10,000 shipped digits with momentum SGD, then exported to ONNX.
using GradientDescent;

using var device = ComputeDevice.Create();
using var data = Mnist10k.Load(device);                           // 8000 train, 2000 test, (n, 784)
Console.WriteLine($"Device: {device}");

int[] sizes = [784, 256, 128, 10];
var weights = new List<Tensor>();                                 // W1, b1, W2, b2, W3, b3
for (int l = 0; l < sizes.Length - 1; l++)
{
    float std = MathF.Sqrt(1f / sizes[l]);                        // Xavier-style for tanh
    weights.Add(Tensor.RandomNormal(device, [sizes[l], sizes[l + 1]], std: std, seed: (ulong)l));
    weights.Add(Tensor.Zeros(device, sizes[l + 1]));
}

foreach (var w in weights) w.IsTrainable = true;

Tensor Logits(Tensor x)
{
    var h = x;
    for (int l = 0; l < 3; l++)
    {
        var z = Ops.AddBias(Ops.MatMul(h, weights[2 * l]), weights[(2 * l) + 1]);
        h = l < 2 ? Ops.Tanh(z) : z;
    }

    return h;
}

using var sgd = new SgdStep(learningRate: 0.05f, momentum: 0.9f);
using var batches = new BatchGather(data.Train.Images, data.Train.Labels, capacity: 64);
var order = Enumerable.Range(0, data.Train.Count).ToArray();
for (int epoch = 1; epoch <= 4; epoch++)
{
    new Random(epoch).Shuffle(order);
    double lossSum = 0;
    for (int start = 0; start + 64 <= order.Length; start += 64)
    {
        var (x, y) = batches.Next(order.AsSpan(start, 64));
        using var tape = new GradientTape();                      // owns every intermediate of the step
        var loss = Ops.Mean(Ops.SoftmaxCrossEntropy(Logits(x), y));
        sgd.Apply(weights, tape.Gradient(loss, weights));
        lossSum += loss.Item();
    }

    double accuracy;
    using (new TensorScope()) accuracy = Ops.Accuracy(Logits(data.Test.Images), data.Test.Labels);   // frees the forward pass
    Console.WriteLine($"epoch {epoch}: mean loss {lossSum / (order.Length / 64):F4}, test accuracy {accuracy:P2}");
}

var layers = Enumerable.Range(0, 3).Select(l => DenseLayer.FromTensors(weights[2 * l], weights[(2 * l) + 1],
    l < 2 ? DenseActivation.Tanh : DenseActivation.None)).ToList();
string onnx = Path.Combine(Path.GetTempPath(), "custom-net.onnx");
OnnxExport.SaveDense(onnx, layers);
Console.WriteLine($"Exported to {onnx}");
foreach (var w in weights) w.Dispose();

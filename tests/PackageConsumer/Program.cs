// A consumer of the GradientDescent package: create a device, train a few steps, check the loss falls.
using GradientDescent;

using var device = ComputeDevice.Create();
Console.WriteLine($"GradientDescent {typeof(Tensor).Assembly.GetName().Version} on {device}");
var random = new Random(7);
const int n = 64;
var pixels = new float[n * 784];
for (int i = 0; i < pixels.Length; i++) pixels[i] = random.NextSingle();
var classes = Enumerable.Range(0, n).Select(_ => random.Next(10)).ToArray();

using var x = Tensor.FromArray(device, pixels, n, 784);
using var y = Labels.FromArray(device, classes, classes: 10);
using var net = new TwoLayerNet(device);
var sgd = new SgdStep(0.1f);
float first = net.TrainStep(x, y, sgd).Item();
float last = first;
for (int step = 0; step < 20; step++) last = net.TrainStep(x, y, sgd).Item();
Console.WriteLine($"loss {first:F4} -> {last:F4}");
return last < first ? 0 : 1;

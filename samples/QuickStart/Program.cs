// The README's example: train TwoLayerNet for a few steps on random data and watch the loss fall.
using GradientDescent;

using var device = ComputeDevice.Create();          // CUDA, else OpenCL, else the CPU
Console.WriteLine($"Device: {device}");

var random = new Random(42);
var pixels = new float[256 * 784];
for (int i = 0; i < pixels.Length; i++) pixels[i] = random.NextSingle();
var classes = new int[256];
for (int i = 0; i < classes.Length; i++) classes[i] = random.Next(10);

using var x = Tensor.FromArray(device, pixels, 256, 784);   // (n, 784)
using var y = Labels.FromArray(device, classes, classes: 10);
using var net = new TwoLayerNet(device);                    // 784 → 100 → 10, He init
var sgd = new SgdStep(learningRate: 0.1f);

for (int step = 0; step <= 50; step++)
{
    using var tape = new GradientTape();                    // records the forward pass
    var loss = net.Loss(x, y);                              // mean softmax cross-entropy
    var grads = tape.Gradient(loss, net.Parameters);   // dW1, db1, dW2, db2
    sgd.Apply(net.Parameters, grads);                       // w -= lr * dw
    if (step % 10 == 0) Console.WriteLine($"step {step,2}: loss {loss.Item():F4}");
}

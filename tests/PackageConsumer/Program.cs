// A consumer of the GradientDescent and GradientDescent.Mnist10k packages: the digits must arrive beside
// the app (contentFiles), load with Mnist10k.Load, and a short training run must learn from them.
using GradientDescent;

using var device = ComputeDevice.Create();
Console.WriteLine($"GradientDescent {typeof(Tensor).Assembly.GetName().Version} on {device}");
Console.WriteLine($"Mnist10k.Folder: {Mnist10k.Folder}");
using var data = Mnist10k.Load(device);
Console.WriteLine($"train {data.Train.Images.ShapeText}, test {data.Test.Images.ShapeText}");
if (data.Train.Count != 8000 || data.Test.Count != 2000)
{
    Console.WriteLine("expected 8000 training and 2000 test digits");
    return 1;
}

using var net = new TwoLayerNet(device);
double before = net.Accuracy(data.Test.Images, data.Test.Labels);
var trainer = new Trainer(net, new TrainerOptions { Epochs = 1, BatchSize = 64, LearningRate = 0.5f });
var history = trainer.Fit(data.Train.Images, data.Train.Labels, data.Test.Images, data.Test.Labels);
double after = history[^1].TestAccuracy;
Console.WriteLine($"{history[^1].Steps} steps: test accuracy {before:P1} -> {after:P1}");
// One epoch reaches about 90% on these digits; 80% leaves room for other devices' rounding.
return after > 0.8 ? 0 : 1;

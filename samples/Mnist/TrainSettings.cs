namespace GradientDescent.Samples.MnistSample;

/// <summary>The parsed options of a training run.</summary>
internal sealed record TrainSettings(
    string? DataFolder, int Epochs, int BatchSize, float LearningRate, int Hidden, string? Device, ulong Seed, WeightInit Init, string? OutputFolder);

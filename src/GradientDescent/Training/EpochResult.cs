namespace GradientDescent;

/// <summary>What one epoch of <see cref="Trainer.Fit"/> achieved.</summary>
/// <param name="Epoch">The epoch, counting from 1.</param>
/// <param name="Epochs">The number of epochs in the run.</param>
/// <param name="MeanLoss">The mean cross-entropy over the epoch's training examples, each measured by its step before the update.</param>
/// <param name="TrainAccuracy">Accuracy on the whole training set after the epoch, in [0, 1]; NaN when not measured.</param>
/// <param name="TestAccuracy">Accuracy on the test set after the epoch, in [0, 1]; NaN without a test set.</param>
/// <param name="Steps">Gradient steps taken in the epoch.</param>
/// <param name="TrainTime">Time spent in the gradient steps.</param>
/// <param name="Elapsed">Time of the whole epoch, evaluation included.</param>
public sealed record EpochResult(
    int Epoch, int Epochs, double MeanLoss, double TrainAccuracy, double TestAccuracy, int Steps, TimeSpan TrainTime, TimeSpan Elapsed);

namespace GradientDescent;

/// <summary>
/// A progress report from <see cref="Trainer.Fit"/>: sent after every step, and once more at the end of
/// each epoch with <see cref="Completed"/> set.
/// </summary>
/// <param name="Epoch">The epoch, counting from 1.</param>
/// <param name="Epochs">The number of epochs in the run.</param>
/// <param name="Step">Steps done in this epoch, 1..Steps.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="Completed">The epoch's results in the end-of-epoch report; null in per-step reports.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Step, int Steps, EpochResult? Completed);

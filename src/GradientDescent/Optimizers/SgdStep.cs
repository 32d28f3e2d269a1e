namespace GradientDescent;

/// <summary>
/// Plain gradient descent, <c>w = w − learning_rate · dw</c> for every parameter, as in the tutorial's
/// <c>w.assign_sub(learning_rate * dw)</c>.
/// </summary>
public sealed class SgdStep : Optimizer
{
    /// <summary>Creates the step.</summary>
    /// <param name="learningRate">A positive, finite step size.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is zero, negative, NaN or infinite.</exception>
    public SgdStep(float learningRate)
        : base(learningRate)
    {
    }

    private protected override void Step(Tensor parameters, Tensor gradients) =>
        SgdKernels.Update(parameters, gradients, LearningRate);
}

namespace GradientDescent.Tests;

/// <summary>
/// The whole two-layer net in float64 on the host, forward and backward, written out loop by loop:
/// the oracle for <see cref="TwoLayerNet"/>. x is (n, inputs), W1 (inputs, hidden), b1 (hidden),
/// W2 (hidden, classes), b2 (classes); parameters are passed in the net's order W1, b1, W2, b2
/// (without the biases when <c>useBias</c> is false).
/// </summary>
internal sealed class TwoLayerNetReference
{
    private readonly int _inputs;
    private readonly int _hidden;
    private readonly int _classes;
    private readonly bool _useBias;

    internal TwoLayerNetReference(int inputs, int hidden, int classes, bool useBias)
    {
        (_inputs, _hidden, _classes, _useBias) = (inputs, hidden, classes, useBias);
    }

    /// <summary>The mean cross-entropy, its gradient per parameter, the logits, and the smallest |pre-activation|.</summary>
    internal sealed record Result(double Loss, double[][] Gradients, double[] Logits, double MinAbsPreActivation);

    internal static TwoLayerNetReference For(TwoLayerNet net) =>
        new(net.Options.Inputs, net.Options.Hidden, net.Options.Classes, net.Options.UseBias);

    internal static double[][] Parameters(TwoLayerNet net) =>
        [.. net.Parameters.Select(p => p.ToArray().Select(v => (double)v).ToArray())];

    internal Result Evaluate(double[] x, int[] labels, double[][] parameters)
    {
        int n = labels.Length;
        var (w1, b1, w2, b2) = _useBias
            ? (parameters[0], parameters[1], parameters[2], parameters[3])
            : (parameters[0], new double[_hidden], parameters[1], new double[_classes]);

        // Forward.
        var z1 = new double[n * _hidden];
        var h = new double[n * _hidden];
        double minAbs = double.PositiveInfinity;
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < _hidden; j++)
            {
                double sum = b1[j];
                for (int p = 0; p < _inputs; p++)
                {
                    sum += x[(r * _inputs) + p] * w1[(p * _hidden) + j];
                }

                z1[(r * _hidden) + j] = sum;
                h[(r * _hidden) + j] = Math.Max(sum, 0);
                minAbs = Math.Min(minAbs, Math.Abs(sum));
            }
        }

        var logits = new double[n * _classes];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < _classes; c++)
            {
                double sum = b2[c];
                for (int j = 0; j < _hidden; j++)
                {
                    sum += h[(r * _hidden) + j] * w2[(j * _classes) + c];
                }

                logits[(r * _classes) + c] = sum;
            }
        }

        // Loss and dlogits = (softmax − onehot) / n.
        double loss = 0;
        var dlogits = new double[n * _classes];
        for (int r = 0; r < n; r++)
        {
            var row = logits.AsSpan(r * _classes, _classes);
            double max = double.NegativeInfinity;
            foreach (var v in row)
            {
                max = Math.Max(max, v);
            }

            double sumExp = 0;
            foreach (var v in row)
            {
                sumExp += Math.Exp(v - max);
            }

            loss += max + Math.Log(sumExp) - row[labels[r]];
            for (int c = 0; c < _classes; c++)
            {
                double p = Math.Exp(row[c] - max) / sumExp;
                dlogits[(r * _classes) + c] = (p - (c == labels[r] ? 1 : 0)) / n;
            }
        }

        // Backward.
        var dw2 = new double[_hidden * _classes];
        var db2 = new double[_classes];
        var dz1 = new double[n * _hidden];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < _classes; c++)
            {
                double g = dlogits[(r * _classes) + c];
                db2[c] += g;
                for (int j = 0; j < _hidden; j++)
                {
                    dw2[(j * _classes) + c] += h[(r * _hidden) + j] * g;
                    dz1[(r * _hidden) + j] += g * w2[(j * _classes) + c];
                }
            }
        }

        var dw1 = new double[_inputs * _hidden];
        var db1 = new double[_hidden];
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < _hidden; j++)
            {
                double g = z1[(r * _hidden) + j] > 0 ? dz1[(r * _hidden) + j] : 0;
                db1[j] += g;
                for (int p = 0; p < _inputs; p++)
                {
                    dw1[(p * _hidden) + j] += x[(r * _inputs) + p] * g;
                }
            }
        }

        double[][] gradients = _useBias ? [dw1, db1, dw2, db2] : [dw1, dw2];
        return new Result(loss / n, gradients, logits, minAbs);
    }
}

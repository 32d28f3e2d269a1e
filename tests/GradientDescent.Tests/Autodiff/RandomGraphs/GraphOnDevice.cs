using System.Globalization;

namespace GradientDescent.Tests;

/// <summary>What the library computed for a graph: the target's values and one gradient per input (null where it gave null).</summary>
internal sealed record DeviceResult(float[] Target, float[]?[] Gradients);

/// <summary>
/// Runs a random graph through the library's public API under a tape, with the graph's tape variations,
/// and checks what must hold exactly: a persistent tape's second gradient and an outer tape's gradient
/// equal the first bit for bit, disposing an intermediate inside the tape does nothing, and the device's
/// allocated bytes return to their value before the inputs were created.
/// </summary>
internal static class GraphOnDevice
{
    public static DeviceResult Run(ComputeDevice device, Graph graph, float[][] inputValues)
    {
        long baseline = device.AllocatedBytes;
        var tensors = new Tensor[graph.Nodes.Count];
        var labels = new Dictionary<GraphNode, Labels>();
        var constants = new List<Tensor>();
        DeviceResult result;
        try
        {
            // Inputs, labels and constants come from factories, so the caller owns them even inside a tape.
            foreach (var (input, i) in graph.Inputs.Select((n, i) => (n, i)))
            {
                tensors[input.Id] = Tensor.FromArray(device, inputValues[i], input.Shape);
            }

            foreach (var node in graph.Nodes.Where(n => n.Op is GraphOp.CrossEntropyLabels or GraphOp.GatherLabels or GraphOp.OneHot))
            {
                labels[node] = Labels.FromArray(device, node.Ints, node.Classes);
            }

            foreach (var node in graph.Nodes.Where(n => n.Op == GraphOp.Constant))
            {
                tensors[node.Id] = Tensor.FromArray(device, node.Values, node.Shape);
                constants.Add(tensors[node.Id]);
            }

            var sources = graph.Inputs.Select(n => tensors[n.Id]).ToArray();
            var outer = graph.OuterTape ? new GradientTape() : null;
            try
            {
                foreach (var source in sources)
                {
                    outer?.Watch(source);
                }

                result = RunInner(graph, tensors, labels, sources);
                if (outer is not null)
                {
                    // The inner tape is disposed by now; the outer one owns the results and records the same ops.
                    var again = outer.Gradient(tensors[graph.Target.Id], sources);
                    ExpectSame(result.Gradients, again, "the outer tape's gradient");
                }
            }
            finally
            {
                outer?.Dispose();
            }
        }
        finally
        {
            foreach (var input in graph.Inputs)
            {
                tensors[input.Id]?.Dispose();
            }

            foreach (var tensor in constants)
            {
                tensor.Dispose();
            }

            foreach (var l in labels.Values)
            {
                l.Dispose();
            }
        }

        if (device.AllocatedBytes != baseline)
        {
            throw new GraphCheckException(
                $"{device.AllocatedBytes - baseline} bytes stayed allocated after the inputs and the tapes were disposed "
                + $"(held: {string.Join("; ", device.GetMemoryUsage().Select(u => $"{u.Owner}: {u.Bytes} B"))}).");
        }

        return result;
    }

    private static DeviceResult RunInner(Graph graph, Tensor[] tensors, Dictionary<GraphNode, Labels> labels, Tensor[] sources)
    {
        using var tape = new GradientTape(persistent: graph.Persistent);
        foreach (var source in sources)
        {
            tape.Watch(source);
        }

        foreach (var node in graph.Nodes.Where(n => !n.IsLeaf))
        {
            tensors[node.Id] = Apply(node, tensors, labels);
        }

        if (graph.Disposed is { } disposed)
        {
            // The tape owns it: disposing it must neither free it nor change any gradient.
            using (tensors[disposed.Id])
            {
            }

            if (tensors[disposed.Id].IsDisposed)
            {
                throw new GraphCheckException($"t{disposed.Id}, owned by the tape, reports disposed after a Dispose inside the tape.");
            }
        }

        var target = tensors[graph.Target.Id];
        var gradients = tape.Gradient(target, sources).Select(g => g?.ToArray()).ToArray();
        if (graph.Persistent)
        {
            ExpectSame(gradients, tape.Gradient(target, sources), "the persistent tape's second gradient");
        }

        return new DeviceResult(target.ToArray(), gradients);
    }

    private static void ExpectSame(float[]?[] first, Tensor?[] second, string what)
    {
        for (int i = 0; i < first.Length; i++)
        {
            var values = second[i]?.ToArray();
            if ((first[i] is null) != (values is null))
            {
                throw new GraphCheckException($"{what} for source {i} is {(values is null ? "null" : "not null")}, but the first was {(first[i] is null ? "null" : "not")}.");
            }

            for (int j = 0; values is not null && j < values.Length; j++)
            {
                if (BitConverter.SingleToInt32Bits(values[j]) != BitConverter.SingleToInt32Bits(first[i]![j]))
                {
                    throw new GraphCheckException(string.Create(CultureInfo.InvariantCulture,
                        $"{what} differs from the first at source {i}, element {j}: {values[j]:G9} against {first[i]![j]:G9}."));
                }
            }
        }
    }

    private static Tensor Apply(GraphNode n, Tensor[] t, Dictionary<GraphNode, Labels> labels)
    {
        var x = n.Args.Length > 0 ? t[n.Args[0].Id] : null!;
        var y = n.Args.Length > 1 ? t[n.Args[1].Id] : null!;
        float s = n.S;
        bool op = n.Operator;
        return n.Op switch
        {
            GraphOp.Exp => Ops.Exp(x),
            GraphOp.Log => Ops.Log(x),
            GraphOp.Negate => op ? -x : Ops.Negate(x),
            GraphOp.Square => Ops.Square(x),
            GraphOp.Sqrt => Ops.Sqrt(x),
            GraphOp.Tanh => Ops.Tanh(x),
            GraphOp.Sigmoid => Ops.Sigmoid(x),
            GraphOp.Relu => Ops.Relu(x),
            GraphOp.AddScalar => op ? (s < 0 ? s + x : x + s) : Ops.Add(x, s),
            GraphOp.SubtractScalar => op ? x - s : Ops.Subtract(x, s),
            GraphOp.ScalarSubtract => op ? s - x : Ops.Subtract(s, x),
            GraphOp.MultiplyScalar => op ? (s < 1 ? s * x : x * s) : Ops.Multiply(x, s),
            GraphOp.Scale => Ops.Scale(x, s),
            GraphOp.DivideScalar => op ? x / s : Ops.Divide(x, s),
            GraphOp.ScalarDivide => op ? s / x : Ops.Divide(s, x),
            GraphOp.MaximumScalar => Ops.Maximum(x, s),
            GraphOp.MinimumScalar => Ops.Minimum(x, s),
            GraphOp.Add => op ? x + y : Ops.Add(x, y),
            GraphOp.Subtract => op ? x - y : Ops.Subtract(x, y),
            GraphOp.Multiply => op ? x * y : Ops.Multiply(x, y),
            GraphOp.Divide => op ? x / y : Ops.Divide(x, y),
            GraphOp.Maximum => Ops.Maximum(x, y),
            GraphOp.Minimum => Ops.Minimum(x, y),
            GraphOp.AddBias => Ops.AddBias(x, y),
            GraphOp.AddBiasRelu => Ops.AddBiasRelu(x, y),
            GraphOp.MatMul => Ops.MatMul(x, y, n.TransposeA, n.TransposeB),
            GraphOp.Sum => Ops.Sum(x),
            GraphOp.Mean => Ops.Mean(x),
            GraphOp.Max => Ops.Max(x),
            GraphOp.SumAxis => Ops.Sum(x, n.Axis, n.KeepDims),
            GraphOp.MeanAxis => Ops.Mean(x, n.Axis, n.KeepDims),
            GraphOp.MaxAxis => Ops.Max(x, n.Axis, n.KeepDims),
            GraphOp.ColumnSum => Ops.ColumnSum(x),
            GraphOp.LogSoftmax => Ops.LogSoftmax(x),
            GraphOp.CrossEntropyLabels => Ops.SoftmaxCrossEntropy(x, labels[n]),
            GraphOp.CrossEntropyDense => Ops.SoftmaxCrossEntropy(x, y),
            GraphOp.GatherPairs => Ops.Gather(x, n.Ints, n.Columns),
            GraphOp.GatherLabels => Ops.Gather(x, labels[n]),
            GraphOp.OneHot => Ops.OneHot(labels[n], n.Width > 0 ? n.Width : null),
            GraphOp.Transpose => Ops.Transpose(x),
            GraphOp.Reshape => x.Reshape(n.Ints),
            GraphOp.Rows => x.Rows(n.Start, n.Count),
            GraphOp.RowRange => x[n.Range],
            GraphOp.Clone => x.Clone(),
            _ => throw new NotSupportedException($"No library call for {n.Op}."),
        };
    }
}

/// <summary>A property violation found by the random-graph check: its message says what differed.</summary>
internal sealed class GraphCheckException(string message) : Exception(message);

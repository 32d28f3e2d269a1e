using System.Globalization;
using System.Text;

namespace GradientDescent.Tests;

/// <summary>The operations a random graph draws from: every public op of <see cref="Ops"/> that has a gradient, and the views.</summary>
internal enum GraphOp
{
    /// <summary>A watched input tensor (a, b, c, …).</summary>
    Input,

    /// <summary>A constant the caller created (dense soft targets): not watched, no gradient.</summary>
    Constant,
    Exp, Log, Negate, Square, Sqrt, Tanh, Sigmoid, Relu,

    /// <summary>x + s.</summary>
    AddScalar,

    /// <summary>x − s.</summary>
    SubtractScalar,

    /// <summary>s − x.</summary>
    ScalarSubtract,

    /// <summary>x·s through Ops.Multiply (or the operators).</summary>
    MultiplyScalar,

    /// <summary>x·s through Ops.Scale.</summary>
    Scale,

    /// <summary>x / s.</summary>
    DivideScalar,

    /// <summary>s / x.</summary>
    ScalarDivide,
    MaximumScalar, MinimumScalar,
    Add, Subtract, Multiply, Divide, Maximum, Minimum,
    AddBias, AddBiasRelu, MatMul,
    Sum, Mean, Max, SumAxis, MeanAxis, MaxAxis, ColumnSum,
    LogSoftmax, CrossEntropyLabels, CrossEntropyDense, GatherPairs, GatherLabels, OneHot,
    Transpose, Reshape, Rows, RowRange, Clone,
}

/// <summary>
/// One node of a random expression graph: an op, its operands (shared nodes make it a DAG) and its result
/// shape, with the op's parameters. Both evaluators, the library's and the float64 one, read it.
/// </summary>
internal sealed class GraphNode
{
    public required GraphOp Op { get; init; }

    public GraphNode[] Args { get; init; } = [];

    public required int[] Shape { get; init; }

    /// <summary>Position in the graph's creation order (a topological order); inputs are numbered among inputs.</summary>
    public int Id { get; set; }

    /// <summary>The scalar of the scalar forms.</summary>
    public float S { get; init; }

    public int Axis { get; init; }

    public bool KeepDims { get; init; }

    public bool TransposeA { get; init; }

    public bool TransposeB { get; init; }

    /// <summary>Written with the C# operator (<c>a + b</c>, <c>2f * x</c>, <c>-x</c>) rather than the Ops method.</summary>
    public bool Operator { get; init; }

    /// <summary>Rows: the first row; RowRange: the range's start.</summary>
    public int Start { get; init; }

    /// <summary>Rows: how many; RowRange: the range.</summary>
    public int Count { get; init; }

    /// <summary>RowRange: the range as written (<c>1..3</c>, <c>^2..</c>, <c>..4</c>).</summary>
    public Range Range { get; init; }

    /// <summary>Gather pairs: the rows; labels (sparse cross-entropy, Gather by labels, OneHot); Reshape: the requested shape (with −1).</summary>
    public int[] Ints { get; init; } = [];

    /// <summary>Gather pairs: the columns.</summary>
    public int[] Columns { get; init; } = [];

    /// <summary>The labels' class count (OneHot may be wider: <see cref="Width"/>).</summary>
    public int Classes { get; init; }

    /// <summary>OneHot: the row width passed as <c>classes</c>, or 0 for the labels' own.</summary>
    public int Width { get; init; }

    /// <summary>Constant: its values.</summary>
    public float[] Values { get; init; } = [];

    /// <summary>Input: its name.</summary>
    public string Name { get; init; } = "";

    public int Length => Shape.Aggregate(1, (p, d) => p * d);

    public bool IsLeaf => Op is GraphOp.Input or GraphOp.Constant;

    public static string ShapeText(int[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
}

/// <summary>A random graph: its nodes in creation order, the target, and how the tape is used around it.</summary>
internal sealed class Graph
{
    public required List<GraphNode> Nodes { get; init; }

    public required GraphNode Target { get; init; }

    /// <summary>The watched inputs, each a source of the gradient, used by the target or not.</summary>
    public required List<GraphNode> Inputs { get; init; }

    /// <summary>Nodes computed on the tape that the target does not use (their inputs' gradients are null).</summary>
    public List<GraphNode> DeadBranch { get; init; } = [];

    /// <summary>Call Gradient twice on a persistent tape; the two results must be equal.</summary>
    public bool Persistent { get; init; }

    /// <summary>An outer tape watches the inputs too; its gradient of the target must equal the inner tape's.</summary>
    public bool OuterTape { get; init; }

    /// <summary>A node whose tensor is disposed with <c>using</c> inside the tape before the gradient, or null.</summary>
    public GraphNode? Disposed { get; init; }

    /// <summary>Seeds the input values (drawn when the case runs, so shrinking works on the structure).</summary>
    public int ValueSeed { get; init; }

    /// <summary>The graph as an expression, shared nodes first as <c>t3 = …</c>, then the inputs and the tape's variations.</summary>
    public override string ToString()
    {
        var uses = new Dictionary<GraphNode, int>();
        foreach (var node in Nodes)
        {
            foreach (var arg in node.Args)
            {
                uses[arg] = uses.GetValueOrDefault(arg) + 1;
            }
        }

        var named = new HashSet<GraphNode>(Nodes.Where(n => !n.IsLeaf && (uses.GetValueOrDefault(n) > 1 || n == Disposed)));
        var text = new StringBuilder();
        foreach (var node in Nodes.Where(named.Contains))
        {
            text.Append(CultureInfo.InvariantCulture, $"t{node.Id} = {Expression(node, named, top: true)}; ");
        }

        foreach (var node in DeadBranch.Where(n => !named.Contains(n)).Take(1))
        {
            text.Append(CultureInfo.InvariantCulture, $"unused = {Expression(DeadBranch[^1], named, top: true)}; ");
        }

        text.Append(CultureInfo.InvariantCulture, $"target = {Expression(Target, named, top: true)} {GraphNode.ShapeText(Target.Shape)}");
        text.Append("\n  inputs: ").AppendJoin(", ", Inputs.Select(i => $"{i.Name} {GraphNode.ShapeText(i.Shape)}"));
        var tape = new List<string>();
        if (Persistent)
        {
            tape.Add("persistent tape, Gradient called twice");
        }

        if (OuterTape)
        {
            tape.Add("an outer tape watching the inputs too");
        }

        if (Disposed is not null)
        {
            tape.Add($"t{Disposed.Id} disposed inside the tape");
        }

        text.Append("\n  tape: ").Append(tape.Count == 0 ? "one tape, one Gradient" : string.Join("; ", tape));
        return text.ToString();
    }

    private static string Expression(GraphNode n, HashSet<GraphNode> named, bool top = false)
    {
        if (!top && named.Contains(n))
        {
            return $"t{n.Id}";
        }

        string A(int i) => Expression(n.Args[i], named);
        string s = n.S.ToString("0.###", CultureInfo.InvariantCulture) + "f";
        string labels = "labels[" + string.Join(",", n.Ints) + "]/" + n.Classes;
        return n.Op switch
        {
            GraphOp.Input => n.Name,
            GraphOp.Constant => $"constant{GraphNode.ShapeText(n.Shape)}",
            GraphOp.Negate when n.Operator => $"-{A(0)}",
            GraphOp.AddScalar when n.Operator => n.S < 0 ? $"({s} + {A(0)})" : $"({A(0)} + {s})",
            GraphOp.SubtractScalar when n.Operator => $"({A(0)} - {s})",
            GraphOp.ScalarSubtract when n.Operator => $"({s} - {A(0)})",
            GraphOp.MultiplyScalar when n.Operator => n.S < 1 ? $"({s} * {A(0)})" : $"({A(0)} * {s})",
            GraphOp.DivideScalar when n.Operator => $"({A(0)} / {s})",
            GraphOp.ScalarDivide when n.Operator => $"({s} / {A(0)})",
            GraphOp.AddScalar => $"Add({A(0)}, {s})",
            GraphOp.SubtractScalar => $"Subtract({A(0)}, {s})",
            GraphOp.ScalarSubtract => $"Subtract({s}, {A(0)})",
            GraphOp.MultiplyScalar => $"Multiply({A(0)}, {s})",
            GraphOp.Scale => $"Scale({A(0)}, {s})",
            GraphOp.DivideScalar => $"Divide({A(0)}, {s})",
            GraphOp.ScalarDivide => $"Divide({s}, {A(0)})",
            GraphOp.MaximumScalar => $"Maximum({A(0)}, {s})",
            GraphOp.MinimumScalar => $"Minimum({A(0)}, {s})",
            GraphOp.Add when n.Operator => $"({A(0)} + {A(1)})",
            GraphOp.Subtract when n.Operator => $"({A(0)} - {A(1)})",
            GraphOp.Multiply when n.Operator => $"({A(0)} * {A(1)})",
            GraphOp.Divide when n.Operator => $"({A(0)} / {A(1)})",
            GraphOp.MatMul => $"MatMul({A(0)}, {A(1)}{(n.TransposeA ? ", transposeA" : "")}{(n.TransposeB ? ", transposeB" : "")})",
            GraphOp.SumAxis or GraphOp.MeanAxis or GraphOp.MaxAxis =>
                $"{n.Op.ToString()[..^4]}({A(0)}, axis: {n.Axis}{(n.KeepDims ? ", keepDims" : "")})",
            GraphOp.CrossEntropyLabels => $"SoftmaxCrossEntropy({A(0)}, {labels})",
            GraphOp.CrossEntropyDense => $"SoftmaxCrossEntropy({A(0)}, {A(1)})",
            GraphOp.GatherPairs => $"Gather({A(0)}, rows [{string.Join(",", n.Ints)}], columns [{string.Join(",", n.Columns)}])",
            GraphOp.GatherLabels => $"Gather({A(0)}, {labels})",
            GraphOp.OneHot => $"OneHot({labels}{(n.Width > 0 ? $", {n.Width}" : "")})",
            GraphOp.Reshape => $"{A(0)}.Reshape({string.Join(", ", n.Ints)})",
            GraphOp.Rows => $"{A(0)}.Rows({n.Start}, {n.Count})",
            GraphOp.RowRange => $"{A(0)}[{n.Range}]",
            GraphOp.Clone => $"{A(0)}.Clone()",
            _ => $"{n.Op}({string.Join(", ", n.Args.Select((_, i) => A(i)))})",
        };
    }
}

using CsCheck;

namespace GradientDescent.Tests;

/// <summary>
/// Draws random expression graphs over every public op, shape-correct by construction: each node is built
/// for a result shape, and its operands' shapes follow from the op (broadcast patterns, matmul inner
/// extents, reductions, views). Log, Sqrt and divisors get strictly positive operands (Exp(·), Square(·) + 1,
/// Sigmoid(·) + 0.5). Leaves reuse inputs and earlier nodes, so inputs are used twice and nodes shared.
/// </summary>
/// <remarks>
/// The size CsCheck shrinks by is (ops, elements, tape variations), compared in that order, so a shrunk
/// case has as few ops as still fail, then the smallest tensors. Given a size to beat, the op budget is
/// drawn below it, so shrinking spends its tries on smaller graphs.
/// </remarks>
internal sealed class GraphGen : Gen<Graph>
{
    /// <summary>Ops in the largest graphs (the root's; positive-domain wrappers may add a few).</summary>
    public const int MaxOps = 9;

    public override Graph Generate(PCG pcg, Size? min, out Size size)
    {
        int cap = min is null ? MaxOps : (int)Math.Clamp(min.I, 1, MaxOps);
        var builder = new Builder(pcg, 1 + (int)pcg.Next((uint)cap));
        var graph = builder.Graph();
        int ops = graph.Nodes.Count(n => !n.IsLeaf);
        long elements = graph.Nodes.Sum(n => (long)n.Length);
        int variations = (graph.Persistent ? 1 : 0) + (graph.OuterTape ? 1 : 0) + (graph.Disposed is null ? 0 : 1)
            + graph.DeadBranch.Count + graph.Inputs.Count;
        size = new Size((ulong)ops, new Size((ulong)elements, new Size((ulong)variations)));
        return graph;
    }

    private sealed class Builder(PCG pcg, int budget)
    {
        private static readonly int[] Extents = [1, 2, 3, 4, 5, 6, 7, 11, 13];
        private static readonly float[] Scalars = [0.5f, -1.5f, 2f, 0.3f, -0.7f, 1.25f, 3f];
        private readonly List<GraphNode> _nodes = [];
        private readonly List<GraphNode> _inputs = [];
        private int _budget = budget;

        public Graph Graph()
        {
            var target = Build(RandomShape(U(3)));
            var dead = new List<GraphNode>();
            if (P(20))
            {
                // Computed on the tape from an input of its own, never reaching the target: that input's gradient is null.
                int first = _nodes.Count;
                var unusedInput = NewInput(RandomShape(1 + U(2)));
                var op = Pick(GraphOp.Exp, GraphOp.Tanh, GraphOp.Sum);
                Add(new GraphNode { Op = op, Args = [unusedInput], Shape = op == GraphOp.Sum ? [] : unusedInput.Shape });
                dead.AddRange(_nodes.Skip(first).Where(n => !n.IsLeaf));
            }

            if (P(15))
            {
                NewInput(RandomShape(U(3)));   // a source nothing uses
            }

            var ops = _nodes.Where(n => !n.IsLeaf && n != target && !dead.Contains(n)).ToList();
            for (int i = 0; i < _nodes.Count; i++)
            {
                _nodes[i].Id = i;
            }

            return new Graph
            {
                Nodes = _nodes,
                Target = target,
                Inputs = _inputs,
                DeadBranch = dead,
                Persistent = P(25),
                OuterTape = P(25),
                Disposed = ops.Count > 0 && P(25) ? ops[U(ops.Count)] : null,
                ValueSeed = U(1 << 20),
            };
        }

        private GraphNode Build(int[] shape)
        {
            if (_budget <= 0)
            {
                return Leaf(shape);
            }

            _budget--;
            int rank = shape.Length;
            int roll = U(100);
            return rank switch
            {
                _ when roll < 22 => Unary(shape),
                _ when roll < 38 => ScalarForm(shape),
                _ when roll < 60 => Binary(shape),
                0 => roll < 90 ? Total(shape) : AlongAxis(shape),
                1 => roll switch
                {
                    < 68 => AlongAxis(shape),
                    < 74 => Add(new GraphNode { Op = GraphOp.ColumnSum, Args = [Build([Extent(60 / shape[0]), shape[0]])], Shape = shape }),
                    < 82 => CrossEntropy(shape[0]),
                    < 88 => GatherPairs(shape[0]),
                    < 92 => Gather(shape[0]),
                    < 97 => Reshape(shape),
                    _ => Add(new GraphNode { Op = GraphOp.Clone, Args = [Build(shape)], Shape = shape }),
                },
                _ => roll switch
                {
                    < 67 => Bias(shape),
                    < 78 => MatMul(shape),
                    < 82 => Add(new GraphNode { Op = GraphOp.Transpose, Args = [Build([shape[1], shape[0]])], Shape = shape }),
                    < 87 => Reshape(shape),
                    < 92 => RowsOf(shape),
                    < 94 => Add(new GraphNode { Op = GraphOp.Clone, Args = [Build(shape)], Shape = shape }),
                    < 98 => Add(new GraphNode { Op = GraphOp.LogSoftmax, Args = [Build(shape)], Shape = shape }),
                    _ => shape[0] == 1 || shape[1] == 1 ? AlongAxis(shape) : Unary(shape),
                },
            };
        }

        private GraphNode Unary(int[] shape)
        {
            var op = Pick(GraphOp.Exp, GraphOp.Log, GraphOp.Negate, GraphOp.Square, GraphOp.Sqrt, GraphOp.Tanh, GraphOp.Sigmoid, GraphOp.Relu);
            var x = op is GraphOp.Log or GraphOp.Sqrt ? Positive(shape) : Build(shape);
            return Add(new GraphNode { Op = op, Args = [x], Shape = shape, Operator = op == GraphOp.Negate && P(50) });
        }

        private GraphNode ScalarForm(int[] shape)
        {
            var op = Pick(GraphOp.AddScalar, GraphOp.SubtractScalar, GraphOp.ScalarSubtract, GraphOp.MultiplyScalar, GraphOp.Scale,
                GraphOp.DivideScalar, GraphOp.ScalarDivide, GraphOp.MaximumScalar, GraphOp.MinimumScalar);
            // Maximum(x, 0f) and Minimum(x, 0f) are the clamps people write; elsewhere 0 would only make constants.
            float s = op is GraphOp.MaximumScalar or GraphOp.MinimumScalar && P(30) ? 0f : Pick(Scalars);

            var x = op == GraphOp.ScalarDivide ? Positive(shape) : Build(shape);
            bool hasOperator = op is not (GraphOp.Scale or GraphOp.MaximumScalar or GraphOp.MinimumScalar);
            return Add(new GraphNode { Op = op, Args = [x], Shape = shape, S = s, Operator = hasOperator && P(50) });
        }

        /// <summary>A broadcasting binary op: one operand has the result's shape, the other any shape that broadcasts to it.</summary>
        private GraphNode Binary(int[] shape)
        {
            var op = Pick(GraphOp.Add, GraphOp.Subtract, GraphOp.Multiply, GraphOp.Divide, GraphOp.Maximum, GraphOp.Minimum);
            bool hasOperator = op is GraphOp.Add or GraphOp.Subtract or GraphOp.Multiply or GraphOp.Divide;
            if (op != GraphOp.Divide && P(15))
            {
                var same = Build(shape);   // Maximum(e, e), e·e: one node on both sides
                return Add(new GraphNode { Op = op, Args = [same, same], Shape = shape, Operator = hasOperator && P(50) });
            }

            int[] full = shape, other = BroadcastsTo(shape);
            if (shape.Length == 2 && P(15))
            {
                (full, other) = ([shape[0], 1], [1, shape[1]]);   // a column against a row
            }

            bool swap = P(50);
            int[] sa = swap ? other : full, sb = swap ? full : other;
            var a = Build(sa);
            var b = op == GraphOp.Divide ? Positive(sb) : Build(sb);
            return Add(new GraphNode { Op = op, Args = [a, b], Shape = shape, Operator = hasOperator && P(50) });
        }

        private GraphNode Bias(int[] shape)
        {
            var op = P(50) ? GraphOp.AddBias : GraphOp.AddBiasRelu;
            return Add(new GraphNode { Op = op, Args = [Build(shape), Build([shape[1]])], Shape = shape });
        }

        private GraphNode MatMul(int[] shape)
        {
            int m = shape[0], n = shape[1];
            if (m == n && P(25))
            {
                // e·eᵀ or eᵀ·e: one node read both ways.
                bool outer = P(50);
                int k = Extent(60 / m);
                var e = Build(outer ? [m, k] : [k, m]);
                return Add(new GraphNode { Op = GraphOp.MatMul, Args = [e, e], Shape = shape, TransposeA = !outer, TransposeB = outer });
            }

            int inner = Extent(60 / Math.Max(m, n));
            bool ta = P(50), tb = P(50);
            var a = Build(ta ? [inner, m] : [m, inner]);
            var b = Build(tb ? [n, inner] : [inner, n]);
            return Add(new GraphNode { Op = GraphOp.MatMul, Args = [a, b], Shape = shape, TransposeA = ta, TransposeB = tb });
        }

        private GraphNode Total(int[] shape) =>
            Add(new GraphNode { Op = Pick(GraphOp.Sum, GraphOp.Mean, GraphOp.Max), Args = [Build(RandomShape(1 + U(2)))], Shape = shape });

        /// <summary>Sum, Mean or Max along an axis, giving <paramref name="shape"/> with or without the kept axis.</summary>
        private GraphNode AlongAxis(int[] shape)
        {
            var op = Pick(GraphOp.SumAxis, GraphOp.MeanAxis, GraphOp.MaxAxis);
            int[] x;
            int axis;
            bool keep = false;
            if (shape.Length == 0 || (shape is [1] && P(50)))
            {
                x = [Extent(60)];
                axis = Pick(0, -1);
                keep = shape.Length == 1;
            }
            else if (shape.Length == 1)
            {
                bool rows = P(50);
                int m = Extent(60 / shape[0]);
                x = rows ? [shape[0], m] : [m, shape[0]];
                axis = rows ? Pick(1, -1) : 0;
            }
            else
            {
                bool rows = shape[1] == 1 && (shape[0] != 1 || P(50));
                int m = Extent(60 / Math.Max(shape[0], shape[1]));
                x = rows ? [shape[0], m] : [m, shape[1]];
                axis = rows ? Pick(1, -1) : 0;
                keep = true;
            }

            return Add(new GraphNode { Op = op, Args = [Build(x)], Shape = shape, Axis = axis, KeepDims = keep });
        }

        private GraphNode CrossEntropy(int rows)
        {
            int classes = Extent(60 / rows);
            var logits = Build([rows, classes]);
            if (P(50))
            {
                return Add(new GraphNode { Op = GraphOp.CrossEntropyLabels, Args = [logits], Shape = [rows], Ints = Labels(rows, classes), Classes = classes });
            }

            var targets = P(50) ? OneHot([rows, classes]) : Add(new GraphNode { Op = GraphOp.Constant, Shape = [rows, classes], Values = Distributions(rows, classes) });
            return Add(new GraphNode { Op = GraphOp.CrossEntropyDense, Args = [logits, targets], Shape = [rows] });
        }

        private GraphNode GatherPairs(int count)
        {
            int rows = Extent(13), cols = Extent(60 / rows);
            var x = Build([rows, cols]);
            return Add(new GraphNode
            {
                Op = GraphOp.GatherPairs, Args = [x], Shape = [count],
                Ints = [.. Enumerable.Range(0, count).Select(_ => U(rows))], Columns = [.. Enumerable.Range(0, count).Select(_ => U(cols))],
            });
        }

        private GraphNode Gather(int rows)
        {
            int classes = Extent(60 / rows);
            return Add(new GraphNode { Op = GraphOp.GatherLabels, Args = [Build([rows, classes])], Shape = [rows], Ints = Labels(rows, classes), Classes = classes });
        }

        private GraphNode OneHot(int[] shape)
        {
            int classes = 1 + U(shape[1]);
            return Add(new GraphNode
            {
                Op = GraphOp.OneHot, Shape = shape, Ints = Labels(shape[0], classes), Classes = classes, Width = classes == shape[1] && P(50) ? 0 : shape[1],
            });
        }

        /// <summary>A reshape view of a tensor with the same elements in another arrangement, one extent given as −1 or all.</summary>
        private GraphNode Reshape(int[] shape)
        {
            int count = shape.Aggregate(1, (p, d) => p * d);
            var divisors = Enumerable.Range(1, count).Where(d => count % d == 0).ToArray();
            int[] from = P(30) ? [count] : [divisors[U(divisors.Length)], 0];
            if (from.Length == 2)
            {
                from[1] = count / from[0];
            }

            int[] request = shape.Length == 1 ? (P(50) ? [-1] : [count]) : U(3) switch { 0 => [shape[0], -1], 1 => [-1, shape[1]], _ => shape };
            return Add(new GraphNode { Op = GraphOp.Reshape, Args = [Build(from)], Shape = shape, Ints = request });
        }

        /// <summary>Rows of a taller matrix, by <c>Rows(start, count)</c> or by the range indexer.</summary>
        private GraphNode RowsOf(int[] shape)
        {
            int count = shape[0], cols = shape[1], total = count + 1 + U(3);
            if (total * cols > 60)
            {
                return Unary(shape);
            }

            int start = U(total - count + 1);
            var x = Build([total, cols]);
            if (P(50))
            {
                return Add(new GraphNode { Op = GraphOp.Rows, Args = [x], Shape = shape, Start = start, Count = count });
            }

            int end = start + count;
            Range range = U(4) switch
            {
                0 when start == 0 => ..end,
                1 when end == total => start..,
                2 => ^(total - start)..^(total - end),
                _ => start..end,
            };
            return Add(new GraphNode { Op = GraphOp.RowRange, Args = [x], Shape = shape, Start = start, Count = count, Range = range });
        }

        /// <summary>A strictly positive expression of <paramref name="shape"/>: the domain of Log, Sqrt and divisors.</summary>
        private GraphNode Positive(int[] shape)
        {
            _budget--;
            var x = Build(shape);
            return U(3) switch
            {
                0 => Add(new GraphNode { Op = GraphOp.Exp, Args = [x], Shape = shape }),
                1 => Add(new GraphNode { Op = GraphOp.AddScalar, Args = [Add(new GraphNode { Op = GraphOp.Square, Args = [x], Shape = shape })], Shape = shape, S = 1f, Operator = P(50) }),
                _ => Add(new GraphNode { Op = GraphOp.AddScalar, Args = [Add(new GraphNode { Op = GraphOp.Sigmoid, Args = [x], Shape = shape })], Shape = shape, S = 0.5f, Operator = P(50) }),
            };
        }

        /// <summary>An input (a new one or one already used: inputs used twice), an earlier node of the shape (a shared node), or a one-hot constant.</summary>
        private GraphNode Leaf(int[] shape)
        {
            var earlier = _nodes.Where(n => !n.IsLeaf && n.Shape.SequenceEqual(shape)).ToList();
            if (earlier.Count > 0 && P(20))
            {
                return earlier[U(earlier.Count)];
            }

            var inputs = _inputs.Where(n => n.Shape.SequenceEqual(shape)).ToList();
            if (inputs.Count > 0 && (P(50) || _inputs.Count >= 4))
            {
                return inputs[U(inputs.Count)];
            }

            return shape.Length == 2 && P(4) ? OneHot(shape) : NewInput(shape);
        }

        private GraphNode NewInput(int[] shape) =>
            Add(new GraphNode { Op = GraphOp.Input, Shape = shape, Name = ((char)('a' + _inputs.Count)).ToString() }, input: true);

        private GraphNode Add(GraphNode node, bool input = false)
        {
            _nodes.Add(node);
            if (input)
            {
                _inputs.Add(node);
            }

            return node;
        }

        /// <summary>A shape that broadcasts to <paramref name="shape"/>: each trailing extent kept or made 1, of the same rank or lower.</summary>
        private int[] BroadcastsTo(int[] shape)
        {
            int rank = U(shape.Length + 1);
            return [.. shape.Skip(shape.Length - rank).Select(d => P(60) ? d : 1)];
        }

        private int[] RandomShape(int rank) => rank switch
        {
            0 => [],
            1 => [Extent(60)],
            _ => RandomMatrix(),
        };

        private int[] RandomMatrix()
        {
            int rows = Extent(60);
            return [rows, Extent(60 / rows)];
        }

        /// <summary>An extent up to <paramref name="max"/>: 1, primes and small composites.</summary>
        private int Extent(int max)
        {
            var allowed = Extents.Where(e => e <= Math.Max(1, max)).ToArray();
            return allowed[U(allowed.Length)];
        }

        private int[] Labels(int count, int classes) => [.. Enumerable.Range(0, count).Select(_ => U(classes))];

        private float[] Distributions(int rows, int cols) => RandomArrays.Distributions(new Random(U(1 << 20)), rows, cols);

        private int U(int n) => (int)pcg.Next((uint)n);

        private bool P(int percent) => U(100) < percent;

        private T Pick<T>(params T[] items) => items[U(items.Length)];
    }
}

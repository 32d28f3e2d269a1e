using System.Runtime.CompilerServices;

namespace GradientDescent;

/// <summary>
/// Wide products (op(A) packed) on several cores: one packed op(B) per phase, shared by every core, and the
/// phase's row blocks taken by the cores as they get to them, one core from the front, one from the back.
/// </summary>
/// <remarks>
/// <para>
/// With one fixed range of rows per core, a product took as long as its slower core, and on this shared VM a
/// core often runs at about half speed for seconds while the guest sees both busy and no steal time: 2048³ then
/// took 200–230 ms instead of 125–135. Taken as the cores get to them, the blocks go where the cycles are. Each
/// core had also packed all of B for itself; now each packs a share. Handing out blocks from one counter (any
/// block to any core) evened out the slow runs but gained nothing on quiet ones (a block's C and B had often been
/// last touched by the other core, the likely reason); from two ends, each core keeps its rows from one phase to
/// the next unless it falls behind. 2048³ on two cores, 20 alternations with the fixed ranges (2026-12-02): the median of each run's fastest
/// product 115.5 ms against 121.8, of its median 128.8 against 130.7, of its slowest 139.5 against 159.9.
/// </para>
/// <para>
/// A phase is one column block at one depth block: first its B packing, in groups of panels, then its row
/// blocks. Every core runs the phases in order and finishes each task it claims before claiming the next. A row
/// block waits until its phase's B is packed and its own previous phase is in C; a packing task waits until the
/// phase two before, which used the same one of two B buffers, is done. Each waits only on tasks of earlier
/// phases, or of its own phase's packing, which cores claimed and are running, so nothing can stall; one core
/// alone (a one-core machine, a small product, a caller that finds the workers busy) runs everything in order,
/// which is the plain blocked loop. Each block of C is summed depth block by
/// depth block, in order, with the tile code one core uses, so the bits do not depend on which core ran what.
/// </para>
/// </remarks>
internal static unsafe partial class HostGemm
{
    /// <summary>Panels of B one packing task copies (128 columns).</summary>
    private const int PanelsPerPackTask = 8;

    private static void Shared(
        float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k, Plan plan, int workers, Epilogue epilogue)
    {
        int bufferFloats = plan.Depth * RoundUp(Math.Min(NC, n), NR);
        float* packedB = s_packedB.Get(2 * bufferFloats);
        var job = new SharedProduct(a, sAi, sAp, b, sBp, sBj, c, m, n, k, plan, packedB, bufferFloats, epilogue);
        // Chunk 0 runs on the calling thread, chunk 1 on the first worker; with one worker, or when the caller finds
        // the workers busy, the caller runs every chunk itself, as one front that takes everything in order.
        HostParallel.For(workers, (long)m * n * k / workers, (first, last) => job.Work(fromBack: first == 1 && last == 2));
    }

    /// <summary>One wide product's tasks and their progress, shared by the cores that run them.</summary>
    private sealed class SharedProduct
    {
        private readonly float* _a;
        private readonly int _sAi;
        private readonly int _sAp;
        private readonly float* _b;
        private readonly int _sBp;
        private readonly int _sBj;
        private readonly float* _c;
        private readonly int _m;
        private readonly int _n;
        private readonly int _k;
        private readonly int _depth;
        private readonly int _rowBlock;
        private readonly float* _packedB;
        private readonly int _bufferFloats;
        private readonly Epilogue _epilogue;
        private readonly int _depthBlocks;
        private readonly int _packTasks;
        private readonly int _rowBlocks;
        private readonly int _phases;

        /// <summary>Per phase: packing tasks claimed, and finished.</summary>
        private readonly int[] _packClaims;
        private readonly int[] _packed;

        /// <summary>Per phase: row blocks claimed (from either end), claimed from the front, and finished.</summary>
        private readonly int[] _rowClaims;
        private readonly int[] _front;
        private readonly int[] _computed;

        /// <summary>Per row block: phases finished.</summary>
        private readonly int[] _progress;

        private volatile bool _failed;

        internal SharedProduct(
            float* a, int sAi, int sAp, float* b, int sBp, int sBj, float* c, int m, int n, int k, Plan plan,
            float* packedB, int bufferFloats, Epilogue epilogue)
        {
            _a = a;
            _b = b;
            _c = c;
            _packedB = packedB;
            (_sAi, _sAp, _sBp, _sBj, _m, _n, _k) = (sAi, sAp, sBp, sBj, m, n, k);
            (_depth, _rowBlock, _bufferFloats, _epilogue) = (plan.Depth, plan.RowBlock, bufferFloats, epilogue);
            _depthBlocks = (k + _depth - 1) / _depth;
            _phases = (n + NC - 1) / NC * _depthBlocks;
            // Sized for the widest column block; in a narrower last one the surplus tasks pack nothing.
            _packTasks = (RoundUp(Math.Min(NC, n), NR) / NR + PanelsPerPackTask - 1) / PanelsPerPackTask;
            _rowBlocks = (m + _rowBlock - 1) / _rowBlock;
            (_packClaims, _packed) = (new int[_phases], new int[_phases]);
            (_rowClaims, _front, _computed) = (new int[_phases], new int[_phases], new int[_phases]);
            _progress = new int[_rowBlocks];
        }

        /// <summary>
        /// Runs this core's share, phase by phase: packing tasks while any are left, then row blocks while any
        /// are left, from the front or (one core) from the back. Every claimed task is finished before the
        /// next is claimed, so each wait is on work that some core is doing.
        /// </summary>
        internal void Work(bool fromBack)
        {
            float* ap = s_packedA.Get(_rowBlock * _depth);
            try
            {
                for (int phase = 0; phase < _phases; phase++)
                {
                    if (!PackPanels(phase) || !ComputeRows(phase, fromBack, ap))
                    {
                        return;
                    }
                }
            }
            catch
            {
                _failed = true;
                throw;
            }
        }

        /// <summary>Packs this phase's B panels, a group at a time, while groups are left; false if another core failed.</summary>
        private bool PackPanels(int phase)
        {
            var (jc, nc, pc, kc) = Block(phase);
            float* bp = PackedB(phase);
            int task;
            while ((task = Interlocked.Increment(ref _packClaims[phase]) - 1) < _packTasks)
            {
                int firstPanel = task * PanelsPerPackTask;
                int firstColumn = firstPanel * NR;
                if (firstColumn < nc)
                {
                    // The buffer was last read by the phase two before.
                    if (phase >= 2 && !WaitFor(ref _computed[phase - 2], _rowBlocks))
                    {
                        return false;
                    }

                    int columns = Math.Min(PanelsPerPackTask * NR, nc - firstColumn);
                    PackB(_b, _sBp, _sBj, pc, kc, jc + firstColumn, columns, bp + ((long)firstPanel * kc * NR));
                }

                Interlocked.Increment(ref _packed[phase]);
            }

            return true;
        }

        /// <summary>
        /// Computes this phase's row blocks while any are left. Fronts take 0, 1, 2…, the back core R−1, R−2…:
        /// on a quiet machine each core keeps the rows (and the C) it had in the previous phase, and a slow
        /// core simply ends up with fewer. A claim counts against the total first, so the two ends never meet
        /// on one block.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool ComputeRows(int phase, bool fromBack, float* ap)
        {
            var (jc, nc, pc, kc) = Block(phase);
            float* bp = PackedB(phase);
            if (!WaitFor(ref _packed[phase], _packTasks))
            {
                return false;
            }

            int fromTheBack = 0;
            while (Interlocked.Increment(ref _rowClaims[phase]) <= _rowBlocks)
            {
                int block = fromBack ? _rowBlocks - 1 - fromTheBack++ : Interlocked.Increment(ref _front[phase]) - 1;
                if (!WaitFor(ref _progress[block], phase))
                {
                    return false;
                }

                int ic = block * _rowBlock, rows = Math.Min(_rowBlock, _m - ic);
                PackA(_a, _sAi, _sAp, ic, rows, pc, kc, ap);
                // This core's likely next block, fetched while this one computes: a hint, harmless if another core takes it.
                int guess = fromBack ? block - 1 : block + 1;
                var next = guess >= 0 && guess < _rowBlocks
                    ? NextToPack(_a, _sAi, _sAp, guess * _rowBlock, _m, _rowBlock, pc, kc)
                    : default;
                Macro(ap, MR, 1, MR * kc, bp, _c + ((long)ic * _n) + jc, _n, rows, nc, kc, pc > 0, next);
                if (pc + kc >= _k)
                {
                    _epilogue.Apply(_c, _n, ic, ic + rows, jc, jc + nc);
                }

                Volatile.Write(ref _progress[block], phase + 1);
                Interlocked.Increment(ref _computed[phase]);
            }

            return true;
        }

        /// <summary>The phase's packed B: phases alternate between the two buffers.</summary>
        private float* PackedB(int phase) => _packedB + ((long)(phase & 1) * _bufferFloats);

        /// <summary>A phase's column block [jc, jc+nc) and depth block [pc, pc+kc).</summary>
        private (int Jc, int Nc, int Pc, int Kc) Block(int phase)
        {
            int jc = phase / _depthBlocks * NC, pc = phase % _depthBlocks * _depth;
            return (jc, Math.Min(NC, _n - jc), pc, Math.Min(_depth, _k - pc));
        }

        /// <summary>Waits until a counter reaches a target, yielding rather than sleeping; false if another core failed.</summary>
        private bool WaitFor(ref int counter, int target)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref counter) < target)
            {
                if (_failed)
                {
                    return false;
                }

                spin.SpinOnce(sleep1Threshold: -1);
            }

            return true;
        }
    }
}

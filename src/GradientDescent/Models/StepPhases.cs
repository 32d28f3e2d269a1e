using System.Diagnostics;

namespace GradientDescent;

/// <summary>
/// Where the time of the host path's <see cref="TwoLayerNet.TrainStep"/> goes: set on a network
/// (<see cref="TwoLayerNet.Phases"/>), it records the wall time of each phase of every step (the host kernels
/// run on the calling thread, so a phase ends when its call returns). For the benchmarks' <c>phases</c>
/// command; unset, a step pays one null check per phase.
/// </summary>
internal sealed class StepPhases
{
    private readonly List<string> _names = [];
    private readonly List<List<double>> _milliseconds = [];
    private long _last;
    private int _next;

    /// <summary>The phases in the order a step runs them, each with its time (ms) in every recorded step.</summary>
    internal IEnumerable<(string Name, IReadOnlyList<double> Milliseconds)> Phases =>
        _names.Select((name, i) => (name, (IReadOnlyList<double>)_milliseconds[i]));

    /// <summary>Starts a step's clock.</summary>
    internal void Start()
    {
        _next = 0;
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>Ends the phase <paramref name="name"/> (the step's next one) and starts the following one.</summary>
    internal void End(string name)
    {
        long now = Stopwatch.GetTimestamp();
        if (_next == _names.Count)
        {
            _names.Add(name);
            _milliseconds.Add([]);
        }

        _milliseconds[_next++].Add(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds);
        _last = Stopwatch.GetTimestamp();
    }

    /// <summary>Forgets what was recorded (after warming up).</summary>
    internal void Clear()
    {
        foreach (var list in _milliseconds)
        {
            list.Clear();
        }
    }
}

namespace GradientDescent;

/// <summary>
/// The recorders and owners in effect for the current flow of execution, innermost first. It flows with
/// the async context (like <see cref="System.Diagnostics.Activity.Current"/>), so a tape created before an
/// <c>await</c> still records after it, whichever thread the continuation runs on, and a tape created
/// inside an async method is not seen by its caller.
/// </summary>
/// <remarks>
/// A frame is a tape (records and owns), a scope (owns, and hides the frames below it) or a pause (hides
/// the frames below, owns nothing: the backward pass runs in one). Frames left in another flow (a tape
/// disposed from another thread) are skipped, so nothing stays active by accident.
/// </remarks>
internal static class OpContext
{
    private static readonly AsyncLocal<Frame?> s_top = new();

    /// <summary>Makes <paramref name="recorder"/> and <paramref name="owner"/> current until <see cref="Leave"/>.</summary>
    internal static Frame Enter(IOpRecorder? recorder, ITensorOwner? owner, bool hidesBelow)
    {
        var frame = new Frame(recorder, owner, hidesBelow, s_top.Value);
        s_top.Value = frame;
        return frame;
    }

    /// <summary>Ends a frame; it and any ended frames above it leave this flow's stack.</summary>
    internal static void Leave(Frame frame)
    {
        frame.Left = true;
        var top = s_top.Value;
        while (top is { Left: true })
        {
            top = top.Below;
        }

        if (!ReferenceEquals(top, s_top.Value))
        {
            s_top.Value = top;
        }
    }

    /// <summary>Whether any current recorder watches one of <paramref name="inputs"/>, so the operation will be recorded.</summary>
    internal static bool WillRecord(Tensor[] inputs)
    {
        for (var frame = s_top.Value; frame is not null; frame = frame.Below)
        {
            if (!frame.Left && frame.Recorder is { IsRecording: true } recorder && WatchesAny(recorder, inputs))
            {
                return true;
            }

            if (frame.HidesBelow && !frame.Left)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>Records <paramref name="op"/> on every current recorder that watches one of its inputs.</summary>
    /// <returns>Whether any recorded it.</returns>
    internal static bool Record(RecordedOp op)
    {
        bool recorded = false;
        for (var frame = s_top.Value; frame is not null; frame = frame.Below)
        {
            if (!frame.Left && frame.Recorder is { IsRecording: true } recorder && WatchesAny(recorder, op.Inputs))
            {
                recorder.Record(op);
                recorded = true;
            }

            if (frame.HidesBelow && !frame.Left)
            {
                break;
            }
        }

        return recorded;
    }

    /// <summary>
    /// Gives a new operation result to its owner: the outermost owning tape above the nearest hiding frame,
    /// else that frame's own owner (a scope), else nobody (the caller owns it).
    /// </summary>
    internal static void Adopt(Tensor result) => CurrentOwner()?.Own(result);

    /// <summary>Who would own a result made now: see <see cref="Adopt"/>; null for the caller.</summary>
    internal static ITensorOwner? CurrentOwner()
    {
        ITensorOwner? owner = null;
        for (var frame = s_top.Value; frame is not null; frame = frame.Below)
        {
            if (frame.Left)
            {
                continue;
            }

            if (frame.HidesBelow)
            {
                owner ??= frame.Owner is { IsOwning: true } scope ? scope : null;
                break;
            }

            if (frame.Owner is { IsOwning: true } tape)
            {
                owner = tape;
            }
        }

        return owner;
    }

    /// <summary>The recorders in effect that are not <paramref name="except"/>: the outer tapes of a nested backward pass.</summary>
    internal static List<IOpRecorder> OtherRecorders(IOpRecorder except)
    {
        var others = new List<IOpRecorder>();
        for (var frame = s_top.Value; frame is not null; frame = frame.Below)
        {
            if (!frame.Left && frame.Recorder is { IsRecording: true } recorder && !ReferenceEquals(recorder, except))
            {
                others.Add(recorder);
            }

            if (frame.HidesBelow && !frame.Left)
            {
                break;
            }
        }

        return others;
    }

    private static bool WatchesAny(IOpRecorder recorder, Tensor[] inputs)
    {
        foreach (var input in inputs)
        {
            if (recorder.Watches(input))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One entry of the stack; immutable but for <see cref="Left"/>, so flows that share it never race on its shape.</summary>
    internal sealed class Frame(IOpRecorder? recorder, ITensorOwner? owner, bool hidesBelow, Frame? below)
    {
        internal IOpRecorder? Recorder { get; } = recorder;

        internal ITensorOwner? Owner { get; } = owner;

        internal bool HidesBelow { get; } = hidesBelow;

        internal Frame? Below { get; } = below;

        internal bool Left
        {
            get => Volatile.Read(ref _left);
            set => Volatile.Write(ref _left, value);
        }

        private bool _left;
    }
}

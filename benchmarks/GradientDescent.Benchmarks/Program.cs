using BenchmarkDotNet.Running;
using GradientDescent.Benchmarks.Ptx;
using GradientDescent.Benchmarks.Report;

// `report` is the SDK-free, in-process Stopwatch report; `phases` times each phase of a host training
// step; `ptx --out DIR` writes every kernel's PTX for
// .ci/ptx-check.sh; anything else goes to BenchmarkDotNet (e.g. --filter '*MatMul*', --job Dry,
// --inProcess on machines without an SDK).
if (args.Length > 0 && args[0] == "report")
{
    return ReportRunner.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "phases")
{
    return PhasesRunner.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "ptx")
{
    return PtxDump.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

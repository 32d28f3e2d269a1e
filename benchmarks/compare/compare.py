"""Runs our report and the PyTorch/NumPy workloads alternately, several rounds, and prints the
median time of each side and the ratio ours / theirs (below 1 means we are faster).

    python3 benchmarks/compare/compare.py [--device cpu|cuda] [--rounds 3] [--filter TEXT]
        [--bench "dotnet run -c Release --project benchmarks/GradientDescent.Benchmarks --"]

--bench is the command that starts our benchmark app (on the GPU machine: `dn $APPS/.../GradientDescent.Benchmarks.dll`).
Rounds alternate the two sides so that a machine busy in one moment penalises both.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--bench", default="dotnet run -c Release --project benchmarks/GradientDescent.Benchmarks --")
    args = parser.parse_args()
    ours_path = "host" if args.device == "cpu" else "cuda"
    ours, theirs = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            out = os.path.join(tmp, f"ours{r}.json")
            cmd = shlex.split(args.bench) + ["report", "--device", ours_path, "--repeats", str(args.repeats), "--json", out]
            if args.filter:
                cmd += ["--filter", args.filter]
            run(cmd)
            for row in json.load(open(out, encoding="utf-8")):
                ours.setdefault((row["name"], row["shape"]), []).append(row["seconds"])
            out = os.path.join(tmp, f"theirs{r}.json")
            cmd = [sys.executable, os.path.join(HERE, "workloads_torch.py"), "--device", args.device,
                   "--repeats", str(args.repeats), "--json", out]
            if args.filter:
                cmd += ["--filter", args.filter]
            run(cmd)
            for row in json.load(open(out, encoding="utf-8")):
                theirs.setdefault((row["library"], row["name"], row["shape"]), []).append((row["seconds"], row["flops"]))

    print(f"Ours ({ours_path}) against PyTorch/NumPy on {args.device}: medians over {args.rounds} alternating rounds.")
    print()
    print("| operation | shape | ours | peer | peer time | ours / peer | ours GFLOPS | peer GFLOPS |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for (library, name, shape), samples in theirs.items():
        if (name, shape) not in ours:
            continue
        mine = statistics.median(ours[(name, shape)])
        peer = statistics.median(s for s, _ in samples)
        flops = samples[0][1]
        g_mine = f"{flops / mine / 1e9:.1f}" if flops else ""
        g_peer = f"{flops / peer / 1e9:.1f}" if flops else ""
        print(f"| {name} | {shape} | {mine * 1e3:.3f} ms | {library} | {peer * 1e3:.3f} ms | {mine / peer:.2f} | {g_mine} | {g_peer} |")


if __name__ == "__main__":
    main()

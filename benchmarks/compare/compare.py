"""Runs our report and the PyTorch/NumPy workloads alternately, several rounds, and prints the
median time of each side and the ratio ours / theirs (below 1 means we are faster).

    /usr/bin/python3 benchmarks/compare/compare.py [--device cpu|cuda] [--rounds 3] [--repeats 7]
        [--filter TEXT] [--threads 1,2] [--python /usr/bin/python3]
        [--bench "dotnet run -c Release --no-build --project benchmarks/GradientDescent.Benchmarks --"]

--bench is the command that starts our benchmark app (on the GPU machine: `dn $APPS/.../GradientDescent.Benchmarks.dll`).
Without it the app is built once, before the first round, and then started without a build: run right
after a build, our first workload shared the cores with what the build left running for a few seconds
(2048³ A·B, the report's first product, measured 147–221 ms in 10 of 12 rounds, the two after it 117–137).

Each peer runs at its best configuration, found here rather than assumed. Every round runs our
report once, then workloads_torch.py once per peer configuration (a new process each, since
OpenBLAS fixes its thread count when it loads), in an order rotated from round to round; a machine
busy in one moment thus penalises every side. The configurations, with T taken from --threads
(default 1, 2 and the core count):
  PyTorch: T intra-op threads with OPENBLAS_NUM_THREADS=1, and 1 intra-op thread with
           OPENBLAS_NUM_THREADS=T (on CUDA only the first kind). Never both above 1: OpenBLAS's
           pthreads and PyTorch's OpenMP threads then compete for the same cores.
  NumPy:   OPENBLAS_NUM_THREADS=T.
For each workload the configuration with the lowest median over the rounds is kept, and printed
beside its figure; a second table gives the fastest repeat of each side over all rounds (the peer's over
all its configurations), a third every configuration's median. OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE are removed for the peer processes only (--keep-openblas-coretype keeps them);
the header says which OpenBLAS kernel ran.
"""
import argparse
import datetime
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def peer_configs(device, threads):
    """(library, intra-op threads, OpenBLAS threads) for every configuration to try."""
    configs = [("torch", t, 1) for t in threads]
    if device == "cpu":
        configs += [("torch", 1, t) for t in threads if t > 1]
        configs += [("numpy", 1, t) for t in threads]
    return configs


def run_round(args, r, configs, ours_path, tmp, ours, theirs, peers, metas, fastest):
    """Our report once, then every peer configuration once, in an order rotated by the round."""
    out = os.path.join(tmp, f"ours{r}.json")
    cmd = shlex.split(args.bench) + ["report", "--device", ours_path, "--repeats", str(args.repeats), "--json", out]
    if args.filter:
        cmd += ["--filter", args.filter]
    run(cmd)
    for row in json.load(open(out, encoding="utf-8")):
        ours.setdefault((row["name"], row["shape"]), []).append(row["seconds"])
        fastest.setdefault(("ours", row["name"], row["shape"]), []).append(row["fastest"])
    shift = r % len(configs)
    for i, (library, intra, blas) in enumerate(configs[shift:] + configs[:shift]):
        out = os.path.join(tmp, f"theirs{r}-{i}.json")
        cmd = [args.python, os.path.join(HERE, "workloads_torch.py"), "--library", library,
               "--intra-op", str(intra), "--openblas-threads", str(blas), "--device", args.device,
               "--repeats", str(args.repeats), "--json", out]
        if args.filter:
            cmd += ["--filter", args.filter]
        if args.keep_openblas_coretype:
            cmd.append("--keep-openblas-coretype")
        run(cmd)
        data = json.load(open(out, encoding="utf-8"))
        metas[library] = data["meta"]
        for row in data["results"]:
            key = (row["library"], row["name"], row["shape"])
            theirs.setdefault(key, {}).setdefault(row["config"], []).append(row["seconds"])
            fastest.setdefault(key, []).append(row["fastest"])
            peers[key] = (row["peer"], row["flops"])


class Stopped(Exception):
    pass


def stop(signum, frame):
    raise Stopped()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--threads", default=None,
                        help="thread counts to try for the peers, comma-separated (default: 1, 2 and the core count)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter that has torch and numpy")
    parser.add_argument("--keep-openblas-coretype", action="store_true")
    parser.add_argument("--bench", default=None)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    if args.threads:
        threads = sorted({int(t) for t in args.threads.split(",")})
    else:
        threads = sorted({t for t in (1, 2, cores) if t <= cores})
    if args.bench is None:
        project = os.path.normpath(os.path.join(HERE, "..", "GradientDescent.Benchmarks"))
        run(["dotnet", "build", "-c", "Release", "--nologo", "-v", "quiet", project])
        args.bench = f"dotnet run -c Release --no-build --project {shlex.quote(project)} --"
    configs = peer_configs(args.device, threads)
    ours_path = "host" if args.device == "cpu" else "cuda"
    started = datetime.datetime.now(datetime.timezone.utc)
    ours = {}  # (name, shape) -> [seconds per round]
    theirs = {}  # (library, name, shape) -> {config: [seconds per round]}
    peers = {}  # (library, name, shape) -> (peer name and version, flops)
    fastest = {}  # ("ours", name, shape) or (library, name, shape) -> [fastest repeat of each run, any configuration]
    metas = {}
    done = []
    signal.signal(signal.SIGTERM, stop)  # `timeout` sends it: print what was measured so far
    stopped = False
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(args.rounds):
                run_round(args, r, configs, ours_path, tmp, ours, theirs, peers, metas, fastest)
                done.append(r)
    except (Stopped, KeyboardInterrupt):
        stopped = True

    print(f"Ours ({ours_path}) against PyTorch/NumPy on {args.device}, {started:%Y-%m-%d %H:%M} UTC: "
          f"medians over {args.rounds} alternating rounds, {args.repeats} repeats each.")
    if stopped:
        print(f"STOPPED during round {len(done) + 1} of {args.rounds}: these figures come from the runs "
              "finished by then, and not every configuration has run as often.")
    meta = metas.get("torch") or metas.get("numpy")
    if meta:
        print(f"Peers: {meta['versions']}; {meta['coretype']}.")
    print(f"Each peer figure is its fastest configuration of those tried ({len(configs)}: each one's median is in the tables at the end).")
    print()
    print("| operation | shape | ours | peer | peer time | ours / peer | ours GFLOPS | peer GFLOPS | peer configuration |")
    print("|---|---|---:|---|---:|---:|---:|---:|---|")
    for key, by_config in theirs.items():
        library, name, shape = key
        if (name, shape) not in ours:
            continue
        mine = statistics.median(ours[(name, shape)])
        config, peer = min(((c, statistics.median(s)) for c, s in by_config.items()), key=lambda cs: cs[1])
        peer_name, f = peers[key]
        g_mine = f"{f / mine / 1e9:.1f}" if f else ""
        g_peer = f"{f / peer / 1e9:.1f}" if f else ""
        print(f"| {name} | {shape} | {mine * 1e3:.3f} ms | {peer_name} | {peer * 1e3:.3f} ms | {mine / peer:.2f} "
              f"| {g_mine} | {g_peer} | {config} |")

    # On a shared machine a run's median moves with the neighbours' load; the quickest repeat of all the
    # rounds is what each side does when it has the cores, so it is printed too, each peer's over all its
    # configurations (the most favourable figure to the peer).
    print()
    print("The fastest repeat of any round (the peer's: of any configuration); on a shared machine the medians above")
    print("move with the neighbours' load, these much less.")
    print()
    print("| operation | shape | ours | peer | peer time | ours / peer | ours GFLOPS | peer GFLOPS |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for key in theirs:
        library, name, shape = key
        if ("ours", name, shape) not in fastest:
            continue
        mine, peer = min(fastest[("ours", name, shape)]), min(fastest[key])
        peer_name, f = peers[key]
        g_mine = f"{f / mine / 1e9:.1f}" if f else ""
        g_peer = f"{f / peer / 1e9:.1f}" if f else ""
        print(f"| {name} | {shape} | {mine * 1e3:.3f} ms | {peer_name} | {peer * 1e3:.3f} ms | {mine / peer:.2f} | {g_mine} | {g_peer} |")

    for library in dict.fromkeys(lib for lib, _, _ in theirs):
        names = list(dict.fromkeys(c for (lib, _, _), by in theirs.items() if lib == library for c in by))
        print()
        print(f"Every {library} configuration tried: median time (ms) over the rounds; the fastest in bold.")
        print()
        print("| operation | shape | " + " | ".join(names) + " |")
        print("|---|---|" + "---:|" * len(names))
        for (lib, name, shape), by_config in theirs.items():
            if lib != library:
                continue
            medians = {c: statistics.median(s) for c, s in by_config.items()}
            best = min(medians, key=medians.get)
            cells = [("**{:.3f}**" if c == best else "{:.3f}").format(medians[c] * 1e3) if c in medians else ""
                     for c in names]
            print(f"| {name} | {shape} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

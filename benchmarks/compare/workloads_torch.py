"""The report's workloads in PyTorch (and SGEMM in NumPy), timed the same way: warm-up, repeats of
enough runs to last ~25 ms, device synchronised before the clock stops, median per run (and, in the
JSON, the fastest repeat).

    /usr/bin/python3 workloads_torch.py [--library torch|numpy|torch,numpy] [--intra-op 1]
        [--openblas-threads 1] [--device cpu|cuda] [--repeats 11] [--filter TEXT] [--json FILE]

One process runs one thread configuration, because OpenBLAS reads its thread count once, when it is
loaded: the thread variables are set here before NumPy or PyTorch is imported.
  --intra-op N          PyTorch's intra-op (OpenMP) threads: OMP_NUM_THREADS=N and torch.set_num_threads(N).
  --openblas-threads N  OPENBLAS_NUM_THREADS=N (and MKL_NUM_THREADS=N, for a build on MKL): the BLAS's
                        own threads, used by NumPy's products and by PyTorch's CPU matmuls.
With both above 1, OpenBLAS's pthreads and PyTorch's OpenMP threads compete for the same cores; on a
2-core machine that made PyTorch's batch-64 training step ten times slower. compare.py tries the
configurations that avoid that, and keeps the fastest for each workload.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some machines set for older OpenBLAS builds, slow a
current one: both are removed here for this process only (--keep-openblas-coretype keeps them), a
product is checked against float64 before timing, and the kernel OpenBLAS then runs is printed
(threadpoolctl, where installed: Debian's python3-threadpoolctl).

On CUDA, TF32 is disabled so matmuls are true FP32, as ours are.
"""
import argparse
import json
import os
import statistics
import sys
import time

np = None
torch = None
CORETYPE_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def timer(fn, sync, repeats):
    # Warm up for at least 0.1 s (first-call allocations, BLAS thread start-up), then calibrate.
    start = time.perf_counter()
    while True:
        fn()
        sync()
        if time.perf_counter() - start >= 0.1:
            break
    start = time.perf_counter()
    fn()
    sync()
    once = max(time.perf_counter() - start, 1e-7)
    runs = int(min(max(0.025 / once, 1), 10_000))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(runs):
            fn()
        sync()
        samples.append((time.perf_counter() - start) / runs)
    return statistics.median(samples), min(samples)


def matmuls(dev, shapes):
    for m, k, n in shapes:
        gen = torch.Generator().manual_seed(m * 31 + k)
        a = torch.rand(m, k, generator=gen).to(dev)
        at = torch.rand(k, m, generator=gen).to(dev)
        b = torch.rand(k, n, generator=gen).to(dev)
        bt = torch.rand(n, k, generator=gen).to(dev)
        c = torch.empty(m, n, device=dev)
        flops = 2.0 * m * n * k
        yield "matmul A·B", f"{m}×{k}×{n}", flops, lambda a=a, b=b, c=c: torch.matmul(a, b, out=c)
        yield "matmul Aᵀ·B", f"{m}×{k}×{n}", flops, lambda at=at, b=b, c=c: torch.matmul(at.t(), b, out=c)
        yield "matmul A·Bᵀ", f"{m}×{k}×{n}", flops, lambda a=a, bt=bt, c=c: torch.matmul(a, bt.t(), out=c)


def softmax_ce(dev, shapes):
    for rows, classes in shapes:
        logits = torch.rand(rows, classes, device=dev, requires_grad=True)
        labels = torch.randint(0, classes, (rows,), device=dev)

        def run(logits=logits, labels=labels):
            loss = torch.nn.functional.cross_entropy(logits, labels)
            (grad,) = torch.autograd.grad(loss, logits)
            return grad

        yield "softmax-CE fused", f"{rows}×{classes}", 0.0, run


def train_steps(dev, batches):
    for batch in batches:
        torch.manual_seed(batch)
        x = torch.rand(batch, 784, device=dev)
        y = torch.randint(0, 10, (batch,), device=dev)
        w1 = (torch.randn(784, 100, device=dev) * (2 / 784) ** 0.5).requires_grad_()
        b1 = torch.zeros(100, device=dev, requires_grad=True)
        w2 = (torch.randn(100, 10, device=dev) * (2 / 100) ** 0.5).requires_grad_()
        b2 = torch.zeros(10, device=dev, requires_grad=True)
        params = [w1, b1, w2, b2]
        opt = torch.optim.SGD(params, lr=0.01)

        def step(x=x, y=y, w1=w1, b1=b1, w2=w2, b2=b2, opt=opt):
            opt.zero_grad(set_to_none=True)
            logits = torch.relu(x @ w1 + b1) @ w2 + b2
            loss = torch.nn.functional.cross_entropy(logits, y)
            loss.backward()
            opt.step()

        # Forward and the two weight gradients of the first layer, all three products of the second;
        # x needs no gradient, so its product is neither computed nor counted (as in ours).
        flops = 2.0 * batch * (2 * 784 * 100 + 3 * 100 * 10)
        yield "train step", f"{batch}×784→100→10", flops, step


def numpy_sgemm(shapes):
    for m, k, n in shapes:
        rng = np.random.default_rng(m)
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        yield "matmul A·B", f"{m}×{k}×{n}", 2.0 * m * n * k, lambda a=a, b=b, c=c: np.matmul(a, b, out=c)


def set_threads(args):
    """Sets the thread variables and removes the core-type ones; must run before NumPy/PyTorch load."""
    removed = {}
    if not args.keep_openblas_coretype:
        for name in CORETYPE_VARIABLES:
            if name in os.environ:
                removed[name] = os.environ.pop(name)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.openblas_threads)
    os.environ["MKL_NUM_THREADS"] = str(args.openblas_threads)
    os.environ["OMP_NUM_THREADS"] = str(args.intra_op)
    return removed


def openblas_info():
    """What threadpoolctl sees of the loaded BLAS: version, threading, kernel, threads; or None."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    for lib in threadpool_info():
        if lib.get("internal_api") == "openblas":
            return lib
    return None


def check_product(library, removed):
    """A 129×193×257 float32 product against float64: OpenBLAS kernels chosen for the wrong core give garbage."""
    rng = np.random.default_rng(7)
    a = rng.random((129, 193), dtype=np.float32)
    b = rng.random((193, 257), dtype=np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    got = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy() if library == "torch" else a @ b
    error = float(np.max(np.abs(got - want) / np.abs(want)))
    if not error < 1e-4:
        hint = "; rerun with --keep-openblas-coretype" if removed else ""
        sys.exit(f"{library}: a float32 product is wrong (relative error {error:.2e}) with this OpenBLAS "
                 f"configuration{hint}")


def describe(library, args, blas):
    """The configuration, as printed beside every figure: threads asked for and threads seen."""
    parts = []
    if library == "torch":
        n = torch.get_num_threads()
        parts.append(f"{n} intra-op thread{'s' if n != 1 else ''}")
    parts.append(f"OPENBLAS_NUM_THREADS={args.openblas_threads}")
    if blas is not None and blas.get("num_threads") != args.openblas_threads:
        parts.append(f"but OpenBLAS reports {blas.get('num_threads')} threads")
    return ", ".join(parts)


def environment(args, removed, blas):
    """Versions, the BLAS kernel, and what was done with the core-type variables."""
    versions = []
    if torch is not None:
        versions.append(f"PyTorch {torch.__version__}")
    versions.append(f"NumPy {np.__version__}")
    if blas is None:
        versions.append("OpenBLAS (kernel unknown: threadpoolctl not installed)")
    else:
        versions.append(f"OpenBLAS {blas.get('version')} {blas.get('threading_layer')}, {blas.get('architecture')} kernel")
    if removed:
        coretype = "unset for this run: " + ", ".join(f"{k}={v}" for k, v in removed.items())
    elif args.keep_openblas_coretype:
        coretype = "kept as set: " + (", ".join(f"{k}={os.environ[k]}" for k in CORETYPE_VARIABLES if k in os.environ) or "none set")
    else:
        coretype = "not set"
    return {"versions": ", ".join(versions), "coretype": f"OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE {coretype}"}


def main():
    global np, torch
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library", default="torch,numpy", help="torch, numpy, or both (comma-separated)")
    parser.add_argument("--intra-op", type=int, default=1, help="PyTorch intra-op threads")
    parser.add_argument("--openblas-threads", type=int, default=1, help="OPENBLAS_NUM_THREADS")
    parser.add_argument("--keep-openblas-coretype", action="store_true",
                        help="leave OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE as the environment has them")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    libraries = [s.strip() for s in args.library.split(",") if s.strip()]
    removed = set_threads(args)

    import numpy
    np = numpy
    if "torch" in libraries:
        import torch as torch_module
        torch = torch_module
        torch.set_num_threads(args.intra_op)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    blas = openblas_info()
    for library in libraries:
        check_product(library, removed)
    meta = environment(args, removed, blas)
    configs = {library: describe(library, args, blas) for library in libraries}
    names = {"torch": f"torch {torch.__version__}" if torch is not None else "torch", "numpy": f"numpy {np.__version__}"}

    peers = []
    shapes = [(64, 784, 100), (8000, 784, 100), (1024, 1024, 1024), (2048, 2048, 2048)]
    if "torch" in libraries:
        dev = torch.device(args.device)
        sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
        torch_shapes = shapes + ([(4096, 4096, 4096)] if args.device == "cuda" else [])
        softmax_shapes = [(64, 10), (8000, 10), (4096, 1024), (65536, 1024)]
        batches = [64, 128, 1024, 8000]
        peers += [("torch", w, sync) for w in matmuls(dev, torch_shapes)]
        peers += [("torch", w, sync) for w in softmax_ce(dev, softmax_shapes)]
        peers += [("torch", w, sync) for w in train_steps(dev, batches)]
    if "numpy" in libraries and args.device == "cpu":
        peers += [("numpy", w, lambda: None) for w in numpy_sgemm(shapes)]

    print(f"# {meta['versions']} on {args.device}"
          + (f" ({torch.cuda.get_device_name()})" if args.device == "cuda" else ""))
    print(f"# {meta['coretype']}")
    for library, config in configs.items():
        print(f"# {library}: {config}")
    print()
    print("| library | operation | shape | time | GFLOPS |")
    print("|---|---|---|---:|---:|")
    results = []
    for library, (name, shape, flops, fn), sync in peers:
        # As the report's filter: a substring of name and shape, case-insensitive, x standing for ×.
        if args.filter and args.filter.replace("×", "x").lower() not in f"{name} {shape}".replace("×", "x").lower():
            continue
        seconds, fastest = timer(fn, sync, args.repeats)
        gflops = f"{flops / seconds / 1e9:.1f}" if flops else ""
        print(f"| {library} | {name} | {shape} | {seconds * 1e3:.3f} ms | {gflops} |", flush=True)
        results.append({"library": library, "peer": names[library], "config": configs[library], "name": name, "shape": shape,
                        "seconds": seconds, "fastest": fastest, "flops": flops})
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"meta": meta, "results": results}, f)


if __name__ == "__main__":
    main()

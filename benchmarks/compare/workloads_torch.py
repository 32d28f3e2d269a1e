"""The report's workloads in PyTorch (and SGEMM in NumPy), timed the same way: warm-up, repeats of
enough runs to last ~25 ms, device synchronised before the clock stops, median per run.

    python3 workloads_torch.py [--device cpu|cuda] [--repeats 11] [--filter TEXT] [--json FILE]

On CUDA, TF32 is disabled so matmuls are true FP32, as ours are.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import torch


def timer(fn, sync, repeats):
    fn()
    sync()
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
    return statistics.median(samples)


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

        flops = 6.0 * batch * (784 * 100 + 100 * 10)
        yield "train step", f"{batch}×784→100→10", flops, step


def numpy_sgemm(shapes):
    for m, k, n in shapes:
        rng = np.random.default_rng(m)
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        yield "matmul A·B", f"{m}×{k}×{n}", 2.0 * m * n * k, lambda a=a, b=b, c=c: np.matmul(a, b, out=c)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    # Use every core, as our host path does (this PyTorch build defaults to one OpenMP thread here).
    torch.set_num_threads(os.cpu_count())
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    shapes = [(64, 784, 100), (8000, 784, 100), (1024, 1024, 1024), (2048, 2048, 2048)]
    if args.device == "cuda":
        shapes.append((4096, 4096, 4096))
    softmax_shapes = [(64, 10), (8000, 10), (4096, 1024), (65536, 1024)]
    batches = [64, 128, 1024, 8000]

    peers = [("torch", w) for w in matmuls(dev, shapes)]
    peers += [("torch", w) for w in softmax_ce(dev, softmax_shapes)]
    peers += [("torch", w) for w in train_steps(dev, batches)]
    if args.device == "cpu":
        peers += [("numpy", w) for w in numpy_sgemm(shapes)]

    print(f"# PyTorch {torch.__version__} / NumPy {np.__version__} on {args.device}"
          + (f" ({torch.cuda.get_device_name()})" if args.device == "cuda" else f", {torch.get_num_threads()} threads"))
    print()
    print("| library | operation | shape | time | GFLOPS |")
    print("|---|---|---|---:|---:|")
    results = []
    for library, (name, shape, flops, fn) in peers:
        if args.filter and args.filter.lower() not in f"{name} {shape}".lower():
            continue
        seconds = timer(fn, sync, args.repeats)
        gflops = f"{flops / seconds / 1e9:.1f}" if flops else ""
        print(f"| {library} | {name} | {shape} | {seconds * 1e3:.3f} ms | {gflops} |", flush=True)
        results.append({"library": library, "name": name, "shape": shape, "seconds": seconds, "flops": flops})
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Eager PyTorch baseline for `siglip bench loss`: the sigmoid loss of
Zhai et al. 2023, forward and backward with autograd, as a user would write
it (the n x m logits materialised), on the same CPU and thread count.

    /usr/bin/python3 csrc/bench/torch_loss.py --n 8192 --d 768 --threads 2

Prints one JSON object on its last line with the same keys as
`siglip bench loss --json` (seconds_median, gflops, peak_rss_mb, n, m, d,
threads). Not a dependency of the project: Debian's python3-torch, used only
to compare.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F


def sigmoid_loss(x, y, t_prime, bias):
    logits = t_prime.exp() * x @ y.t() + bias
    n = x.shape[0]
    z = 2 * torch.eye(n, dtype=x.dtype) - 1  # +1 on the diagonal, -1 elsewhere
    return -F.logsigmoid(z * logits).sum() / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=8192)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    g = torch.Generator().manual_seed(1)
    x = F.normalize(torch.randn(a.n, a.d, generator=g), dim=1).requires_grad_()
    y = F.normalize(torch.randn(a.n, a.d, generator=g), dim=1).requires_grad_()
    x = x.detach().requires_grad_()
    y = y.detach().requires_grad_()
    t_prime = torch.tensor(math.log(10.0), requires_grad=True)
    bias = torch.tensor(-10.0, requires_grad=True)
    times = []
    for i in range(a.repeats + 1):  # the first run is a warm-up
        for p in (x, y, t_prime, bias):
            p.grad = None
        t0 = time.perf_counter()
        loss = sigmoid_loss(x, y, t_prime, bias)
        loss.backward()
        dt = time.perf_counter() - t0
        if i > 0:
            times.append(dt)
    med = statistics.median(times)
    flops = 6.0 * a.n * a.n * a.d
    out = {
        "framework": "pytorch-eager " + torch.__version__,
        "blas": torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0].strip()
        if "BLAS_INFO=" in torch.__config__.show() else "unknown",
        "n": a.n, "m": a.n, "d": a.d, "threads": a.threads,
        "seconds_median": med, "gflops": flops / med / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "loss": float(loss),
    }
    print(f"pytorch eager sigmoid loss fwd+bwd n={a.n} d={a.d} threads={a.threads}: "
          f"{med:.3f} s, {out['gflops']:.1f} GFLOP/s, peak RSS {out['peak_rss_mb']:.0f} MiB")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

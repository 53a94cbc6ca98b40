"""Does a long training loop keep flat memory? 10^5 small steps, memory reported as it goes.

    python benchmarks/leak.py                      # dxdy, 100000 steps, a line every 10000
    python benchmarks/leak.py --lib torch          # the same loop on PyTorch, for comparison
    python benchmarks/leak.py --steps 20000 --every 2000 --traced

The quality bar of ../shared/DESIGN.md: "a training loop of 10^5 steps keeps flat memory".
tests/test_memory.py checks a short version of this loop in CI (a few hundred steps under
tracemalloc); this script is the long one, not run in CI (about half a minute for dxdy).

Each step is a small MLP's training step written as a PyTorch user writes it: nn.Parameter
weights, F.linear, tanh, cross_entropy, backward, an SGD update under no_grad, grads set to
None; every tenth step also goes through retain_graph, a tensor hook, retain_grad and a
custom autograd.Function, so that those paths are in the loop too.

Reported at each interval: the resident set size (RSS, from /proc or getrusage), the Python
objects the cycle collector tracks, how many cycles a full collection found since the last
line (none is the goal: dxdy frees its graphs by reference counting), and with --traced the
bytes Python's allocator holds (tracemalloc: exact, but it slows the loop about threefold).
At the end: the growth from the first line to the last, and PASS when the RSS grew less than
--tolerance MB and the collector never found a cycle. Exit status 1 on FAIL.
"""
import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import pin_threads  # noqa: E402  (imports neither numpy nor torch)

pin_threads()


def rss_bytes():
    """The resident set size now (Linux), else the peak so far (getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r if sys.platform == "darwin" else r * 1024


def build(T):
    """One training step of a small MLP on the library `T` (dxdy or torch): returns step(i) -> loss."""
    F = T.nn.functional
    T.manual_seed(0)
    P = T.nn.Parameter
    params = [P(T.randn(16, 64) * 0.2), P(T.zeros(64)), P(T.randn(64, 8) * 0.2), P(T.zeros(8))]
    x = T.randn(32, 16)
    y = T.randint(0, 8, (32,))

    class Scale(T.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = a * 0.5
            ctx.save_for_backward(a, out)
            return out

        @staticmethod
        def backward(ctx, g):
            _, out = ctx.saved_tensors  # read back (and version-checked), as a real Function would
            return g * 0.5 if out is not None else None

    def step(i):
        w1, b1, w2, b2 = params
        h = T.tanh(F.linear(x, w1.t(), b1))
        if i % 10 == 0:  # the rarer paths: a custom Function, a hook, retain_grad, retain_graph
            h = Scale.apply(h)
            h.register_hook(lambda g: g)
            h.retain_grad()
        logits = F.linear(h, w2.t(), b2)
        loss = F.cross_entropy(logits, y)
        if i % 10 == 0:
            loss.backward(retain_graph=True)
            for p in params:
                p.grad = None
        loss.backward()
        with T.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        for p in params:
            p.grad = None
        return loss.item()

    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", choices=["dxdy", "torch"], default="dxdy")
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--every", type=int, default=10_000, help="report every this many steps")
    ap.add_argument("--warmup", type=int, default=2000, help="steps before the first report")
    ap.add_argument("--traced", action="store_true", help="also report tracemalloc's bytes (slower)")
    ap.add_argument("--tolerance", type=float, default=2.0, help="MB of RSS growth still called flat")
    args = ap.parse_args(argv)

    if args.lib == "torch":
        import torch as T
        T.set_num_threads(1)
    else:
        sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
        import dxdy as T

    step = build(T)
    for i in range(args.warmup):
        step(i)
    if args.traced:
        tracemalloc.start()
    gc.collect()
    print(f"{args.lib}: {args.steps} steps after {args.warmup} of warm-up; a line every {args.every}")
    print(f"{'step':>8} {'RSS MB':>9} {'objects':>9} {'cycles':>7}" + (f" {'traced MB':>10}" if args.traced else "")
          + f" {'s/1k steps':>11}")
    cycles_total, first, last = 0, None, None
    t0 = time.perf_counter()
    loss = None
    for i in range(args.steps + 1):
        if i % args.every == 0:
            cycles = gc.collect()  # what reference counting left behind since the last line
            cycles_total += cycles if i else 0
            now = (rss_bytes(), len(gc.get_objects()), tracemalloc.get_traced_memory()[0] if args.traced else 0)
            first = first or now
            last = now
            elapsed = time.perf_counter() - t0
            rate = elapsed / (args.every / 1000) if i else 0.0
            t0 = time.perf_counter()
            print(f"{i:>8} {now[0] / 2**20:>9.1f} {now[1]:>9} {cycles if i else 0:>7}"
                  + (f" {now[2] / 2**20:>10.3f}" if args.traced else "") + f" {rate:>11.3f}", flush=True)
            if i == args.steps:
                break
        loss = step(i)

    growth = (last[0] - first[0]) / 2**20
    ok = growth < args.tolerance and cycles_total == 0
    print(f"growth: RSS {growth:+.2f} MB, tracked objects {last[1] - first[1]:+d}"
          + (f", traced {(last[2] - first[2]) / 2**20:+.3f} MB" if args.traced else "")
          + f"; cycles found by the collector: {cycles_total}; last loss {loss:.4f}")
    print("PASS" if ok else "FAIL", f"(flat: RSS growth under {args.tolerance} MB and no cycles)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

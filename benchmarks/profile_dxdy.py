"""Where dxdy's time goes on the benchmark workloads: phase split, cProfile, pyinstrument.

    python benchmarks/profile_dxdy.py per_op            # split + cProfile top functions per phase
    python benchmarks/profile_dxdy.py chain --n 200000
    python benchmarks/profile_dxdy.py mlp --pyinstrument
    python benchmarks/profile_dxdy.py mlp-overhead      # the step's fixed cost, hot and with cold caches
    python benchmarks/profile_dxdy.py big-memory        # which step of backward sets the peak
    python benchmarks/profile_dxdy.py import            # python -X importtime, dxdy's modules
    python benchmarks/profile_dxdy.py all

Phases are timed separately with perf_counter and no profiler attached (the
profiler inflates Python-level calls several-fold); cProfile then gives the
shares inside each phase. Time spent in the cyclic garbage collector is
measured with gc.callbacks and shown per phase.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import pin_threads  # noqa: E402

pin_threads()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import workloads as W  # noqa: E402


class GCTimer:
    """Seconds spent in gc collections (all generations) while installed."""

    def __init__(self):
        self.total = 0.0
        self.count = [0, 0, 0]
        self._t = 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._t = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._t
            self.count[info["generation"]] += 1

    def __enter__(self):
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


# -- the workloads, cut into phases (dxdy only) -------------------------------------------------

def phases_per_op(T):
    x = T.tensor([0.1, 0.2, 0.3, 0.4], dtype=T.float64, requires_grad=True)
    sin, tanh = T.sin, T.tanh

    def forward(s):
        y = x
        for _ in range(W.PER_OP_N // 5):
            y = y * 1.01
            y = y + 0.1
            y = sin(y)
            y = tanh(y)
            y = y * x
        s["loss"] = y.sum()

    def backward(s):
        s.pop("loss").backward()
        x.grad = None

    return [("forward", forward), ("backward", backward)], W.PER_OP_N + 1


def phases_tutorial(T):
    x = T.arange(4.0)
    x.requires_grad_(True)
    y = T.tensor([3.0, 1.0, 2.0, 5.0], requires_grad=True)

    def forward1(s):
        s["z"] = 2 * T.dot(x, y)

    def backward1(s):
        s.pop("z").backward()
        y.grad.zero_()

    def forward2(s):
        s["z"] = y.sum()

    def backward2(s):
        s.pop("z").backward()
        x.grad.zero_()

    return [("forward", forward1), ("backward", backward1), ("forward", forward2), ("backward", backward2)], 4


def phases_mlp(T):
    X, target, params = W.mlp_data()
    F = T.nn.functional
    Xt, tt, rows = T.tensor(X), T.tensor(target), T.arange(X.shape[0])
    ps = [T.tensor(p.copy(), requires_grad=True) for p in params]
    W1, b1, W2, b2 = ps

    def forward(s):
        h = T.relu(Xt @ W1 + b1)
        logits = h @ W2 + b2
        logp = F.log_softmax(logits, dim=1)
        s["loss"] = -logp[rows, tt].mean()

    def backward(s):
        s.pop("loss").backward()

    def update(s):
        with T.no_grad():
            for p in ps:
                p -= W.MLP["lr"] * p.grad
                p.grad = None

    return [("forward", forward), ("backward", backward), ("sgd update", update)], 9


def phases_chain(T, n):
    def forward(s):
        a = T.tensor(1.0, dtype=T.float64, requires_grad=True)
        y = a
        for _ in range(n):
            y = y * W.CHAIN_C
        s["y"] = y

    def backward(s):
        s["y"].backward()

    def teardown(s):
        del s["y"]

    return [("forward", forward), ("backward", backward), ("free graph", teardown)], n


def get_phases(name, T, n):
    if name == "per_op":
        return phases_per_op(T)
    if name == "tutorial":
        return phases_tutorial(T)
    if name == "mlp":
        return phases_mlp(T)
    if name == "chain":
        return phases_chain(T, n)
    raise KeyError(name)


# -- measuring --------------------------------------------------------------------------------

def split(phases, iters, warmup=2):
    """Seconds per iteration in each phase (min over 5 blocks), and the gc time within it."""
    for _ in range(warmup):
        s = {}
        for _, fn in phases:
            fn(s)
    names = list(dict.fromkeys(n for n, _ in phases))
    best = {n: float("inf") for n in names}
    gc_t = {n: 0.0 for n in names}
    blocks = 5 if iters > 1 else 2
    for _ in range(blocks):
        tot = {n: 0.0 for n in names}
        gct = {n: 0.0 for n in names}
        gc.collect()
        for _ in range(iters):
            s = {}
            for name, fn in phases:
                with GCTimer() as g:
                    t0 = time.perf_counter()
                    fn(s)
                    tot[name] += time.perf_counter() - t0
                gct[name] += g.total
        for n in names:
            if tot[n] / iters < best[n]:
                best[n] = tot[n] / iters
                gc_t[n] = gct[n] / iters
    return best, gc_t


def profile(phases, iters, top, sort="tottime"):
    profs = {n: cProfile.Profile() for n, _ in phases}
    for _ in range(iters):
        s = {}
        for name, fn in phases:
            p = profs[name]
            p.enable()
            fn(s)
            p.disable()
    out = []
    for name, p in profs.items():
        st = pstats.Stats(p)
        total = st.total_tt
        rows = []
        for (file, line, func), (cc, nc, tt, ct, callers) in st.stats.items():
            rows.append((tt, ct, nc, _where(file, line, func)))
        rows.sort(reverse=True, key=lambda r: r[0] if sort == "tottime" else r[1])
        out.append(f"\n  {name}: {total / iters * 1e3:.3f} ms per iteration under cProfile "
                   f"(calls per iteration in 'calls')")
        out.append(f"  {'self%':>6} {'cum%':>6} {'calls':>8}  function")
        for tt, ct, nc, where in rows[:top]:
            out.append(f"  {100 * tt / total:6.1f} {100 * ct / total:6.1f} {nc / iters:8.1f}  {where}")
    return "\n".join(out)


def _where(file, line, func):
    if file == "~":
        return func  # a builtin: {method 'x' of 'y' objects}
    for marker in ("/src/dxdy/", "/site-packages/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    else:
        file = os.path.basename(file)
    return f"{file}:{line}({func})"


def pyinstrument_report(phases, iters):
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "  (pyinstrument is not installed: pip install pyinstrument)"
    prof = Profiler(interval=0.0002)
    prof.start()
    for _ in range(iters):
        s = {}
        for _, fn in phases:
            fn(s)
    prof.stop()
    return prof.output_text(unicode=False, color=False, show_all=False)


# -- the 10^7 loss: which moment of the step sets the memory peak --------------------------------

def big_memory(T):
    """Trace NumPy's allocations through one step; report the live bytes at each node of backward."""
    import tracemalloc
    x = T.tensor(W.big_data(), requires_grad=True)
    mb = 2 ** 20
    (T.sin(x) * x + T.exp(-x)).sum().backward()  # warm-up
    x.grad = None
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    log = []

    def mark(what):
        cur, peak = tracemalloc.get_traced_memory()
        log.append((what, (cur - base) / mb, (peak - base) / mb))

    # forward, op by op (the same ops as the one-line loss)
    s = T.sin(x)
    mark("s = sin(x)")
    sx = s * x
    mark("sx = s * x")
    nx = -x
    mark("nx = -x")
    e = T.exp(nx)
    mark("e = exp(nx)")
    del nx
    mark("del nx")
    a = sx + e
    mark("a = sx + e")
    del s, sx, e
    mark("del s, sx, e (saved by the nodes)")
    loss = a.sum()
    del a
    mark("loss = a.sum(); del a")

    # backward: a pre-hook on every node records the live bytes when the node is about to run
    seen = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen or not getattr(node, "is_node", False):
            continue
        seen.add(node)
        name = type(node).__name__
        try:
            node.register_prehook(lambda g, name=name: mark(f"backward: before {name}"))
        except Exception as e:  # noqa: BLE001
            log.append((f"(no node pre-hooks: {e})", 0, 0))
            break
        stack.extend(node.next)
    loss.backward()
    mark("backward done (x.grad held)")
    tracemalloc.stop()
    lines = [f"  {'live MB':>8} {'peak MB':>8}  moment"]
    lines += [f"  {cur:8.0f} {peak:8.0f}  {what}" for what, cur, peak in log]
    return "\n".join(lines)


def import_profile(top):
    """`python -X importtime -c "import dxdy"` from .pyc: dxdy's subtree, numpy's part and the rest."""
    import tempfile
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="dxdy-prof-pycache-")
    cmd = [sys.executable, "-X", "importtime", "-c", "import dxdy"]
    subprocess.run(cmd, env=env, capture_output=True)  # fill the bytecode cache
    best = None
    for _ in range(5):  # the run with the least total, as the least disturbed
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        rows = []
        for line in p.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, cum_us, name = line.split(":", 1)[1].split("|")
            rows.append((int(self_us), int(cum_us), name.rstrip()))
        # The subtree of the top-level `dxdy` import: the lines since the previous top-level one.
        end = max(i for i, r in enumerate(rows) if r[2].strip() == "dxdy" and not r[2].startswith("  "))
        begin = end
        while begin > 0 and rows[begin - 1][2].startswith("  "):
            begin -= 1
        sub = rows[begin:end + 1]
        if best is None or sub[-1][1] < best[-1][1]:
            best = sub
    total = best[-1][1]
    numpy_cum = sum(c for s_, c, n in best if n.strip() == "numpy")
    own = [(s_, c, n.strip()) for s_, c, n in best if n.strip().startswith("dxdy")]
    in_numpy = set()
    depth_numpy = None
    # modules under numpy's subtree: lines before the `numpy` line with deeper indentation
    for i, (s_, c, n) in enumerate(best):
        if n.strip() == "numpy":
            depth_numpy = len(n) - len(n.lstrip())
            j = i - 1
            while j >= 0 and len(best[j][2]) - len(best[j][2].lstrip()) > depth_numpy:
                in_numpy.add(j)
                j -= 1
    other = [(s_, c, n.strip()) for i, (s_, c, n) in enumerate(best)
             if i not in in_numpy and n.strip() != "numpy" and not n.strip().startswith("dxdy")]
    out = [f"  import dxdy: {total / 1e3:.1f} ms (min of 5), of which import numpy {numpy_cum / 1e3:.1f} ms, "
           f"dxdy's own modules {sum(s_ for s_, _, _ in own) / 1e3:.1f} ms, other modules dxdy pulls in "
           f"{sum(s_ for s_, _, _ in other) / 1e3:.1f} ms"]
    out.append(f"  {'self ms':>8} {'cum ms':>8}  dxdy's modules and what they import outside numpy")
    for s_, c, n in sorted(own + other, reverse=True)[:top]:
        out.append(f"  {s_ / 1e3:8.2f} {c / 1e3:8.2f}  {n}")
    return "\n".join(out)


# -- main -----------------------------------------------------------------------------------------

ITERS = {"per_op": 200, "tutorial": 2000, "mlp": 20, "chain": 1}


def mlp_overhead(rounds=2000):
    """The MLP step's fixed cost: the same step at batch 2, widths 4-4-2, dxdy against hand-written NumPy,
    hot (back to back) and cold (after a 512x512 matmul and a 4 MB sum, as the full-size step's big
    matmuls leave the caches). What the cold difference costs is roughly what dxdy's Python adds to
    the full-size step."""
    saved = dict(W.MLP)
    W.MLP.update(batch=2, n_in=4, hidden=4, n_out=2)
    try:
        steps = {lib: W.build_mlp(lib) for lib in ("dxdy", "numpy")}
    finally:
        W.MLP.update(saved)
    big, square = np.ones(1 << 20, np.float32), np.ones((512, 512), np.float32)
    times = {f"{lib} {state}": [] for lib in steps for state in ("hot", "cold")}
    for _ in range(rounds):
        for lib, step in steps.items():
            square @ square
            big.sum()
            t0 = time.perf_counter()
            step()
            t1 = time.perf_counter()
            step()
            t2 = time.perf_counter()
            times[f"{lib} cold"].append(t1 - t0)
            times[f"{lib} hot"].append(t2 - t1)
    lines = [f"{'':12s} {'median':>9s} {'min':>9s}"]
    for k, v in times.items():
        lines.append(f"{k:12s} {np.median(v) * 1e6:7.1f}us {min(v) * 1e6:7.1f}us")
    for state in ("hot", "cold"):
        d, n = times[f"dxdy {state}"], times[f"numpy {state}"]
        lines.append(f"dxdy - numpy, {state}: {(np.median(d) - np.median(n)) * 1e6:.1f} us (median)")
    return "\n".join(lines)


def run(name, args, T):
    print(f"\n=== {name} " + "=" * (70 - len(name)))
    if name == "mlp-overhead":
        print(mlp_overhead(500 if args.quick else 2000))
        return
    if name == "big-memory":
        print(big_memory(T))
        return
    if name == "import":
        print(import_profile(args.top))
        return
    phases, n_ops = get_phases(name, T, args.n)
    iters = ITERS[name] if not args.quick else max(1, ITERS[name] // 4)
    times, gct = split(phases, iters)
    total = sum(times.values())
    unit = "per op" if name in ("per_op", "chain") else "per iteration"
    scale = n_ops if name in ("per_op", "chain") else 1
    print(f"split (no profiler, min of blocks): {total / scale * 1e6:.2f} us {unit}"
          + (f" ({n_ops} nodes)" if scale > 1 else ""))
    for n, t in times.items():
        print(f"  {n:12s} {t / scale * 1e6:9.2f} us {unit}  {100 * t / total:5.1f}%   "
              f"of which gc {gct[n] / scale * 1e6:.2f} us")
    if not args.no_cprofile:
        print(profile(phases, max(1, iters // 2), args.top, args.sort))
    if args.pyinstrument:
        print(pyinstrument_report(phases, max(1, iters // 2)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workload", choices=["per_op", "tutorial", "mlp", "mlp-overhead", "chain", "big-memory", "import",
                                        "all"])
    p.add_argument("--n", type=int, default=100_000, help="chain length for 'chain' (default 1e5)")
    p.add_argument("--top", type=int, default=18)
    p.add_argument("--sort", choices=("tottime", "cumtime"), default="tottime")
    p.add_argument("--pyinstrument", action="store_true")
    p.add_argument("--no-cprofile", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after imports, as run.py does")
    args = p.parse_args()
    T = W.load("dxdy")
    print(f"dxdy from {os.path.dirname(T.__file__)}; numpy {np.__version__}; python {sys.version.split()[0]}")
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    names = ["per_op", "tutorial", "mlp", "mlp-overhead", "chain", "big-memory", "import"] if args.workload == "all" \
        else [args.workload]
    for name in names:
        run(name, args, T)


if __name__ == "__main__":
    main()

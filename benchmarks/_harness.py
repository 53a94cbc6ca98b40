"""Timing, subprocess and table helpers for benchmarks/run.py.

Nothing here imports numpy, torch or dxdy: run.py pins the thread counts in the
environment before any of them is imported, and this module must not get there
first.
"""
import gc
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")


def pin_threads(env=None):
    """Set every BLAS/OpenMP thread count to 1 in `env` (os.environ by default)."""
    env = os.environ if env is None else env
    for var in THREAD_VARS:
        env[var] = "1"
    return env


VERBOSE = False  # run.py --verbose: print every timed sample


class NotAvailable(Exception):
    """The library lacks what the workload needs: reported as 'n/a', not as an error."""


# -- timing ----------------------------------------------------------------------------

def timed(fn, number):
    gc.collect()  # garbage left by the previous block must not be collected inside this one
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def measure(steps, *, repeats, warmup=2, block_s=0.05, budget_s=20.0, min_repeats=1, stat="min"):
    """Seconds per call (the min or the median over blocks) of each callable in `steps` ({lib: fn}).

    Each callable is warmed up (its first call, `fn(check=True)`, is kept for the
    cross-library check), then run in blocks of `number` calls, chosen so a block
    lasts about `block_s` (one call when block_s is 0). The libraries take turns
    block by block (round robin), so a burst of load on the machine hits all of
    them alike. Stops after `repeats` rounds, or earlier once `budget_s` is spent
    and `min_repeats` rounds are in (the budget counts from the first warm-up).
    With warmup=0 the first call is timed and counts as round one (for steps
    that take seconds).

    Returns ({lib: seconds or Exception}, {lib: first output}); with VERBOSE set,
    every sample is printed to stderr.
    """
    result, numbers, samples, outputs = {}, {}, {}, {}
    start = time.perf_counter()
    for lib, fn in steps.items():
        try:
            gc.collect()
            t0 = time.perf_counter()
            outputs[lib] = fn(check=True)
            first = time.perf_counter() - t0
            for _ in range(warmup - 1):
                fn()
            if warmup:
                first = timed(fn, 1)
            numbers[lib] = max(1, math.ceil(block_s / max(first, 1e-9))) if block_s else 1
            samples[lib] = [first] if warmup == 0 else []
        except Exception as e:  # noqa: BLE001 - a broken library must not stop the run
            result[lib] = e
    live = [lib for lib in steps if lib not in result]
    for r in range(repeats):
        if r >= min_repeats and time.perf_counter() - start > budget_s:
            break
        for lib in live:
            if lib in result or len(samples[lib]) > r:
                continue
            try:
                samples[lib].append(timed(steps[lib], numbers[lib]))
            except Exception as e:  # noqa: BLE001
                result[lib] = e
    for lib in live:
        if lib not in result:
            result[lib] = min(samples[lib]) if stat == "min" else statistics.median(samples[lib])
        if VERBOSE:
            print(f"    {lib:6s} x{numbers[lib]:<5d} " + " ".join(f"{t * 1e6:.4g}" for t in samples[lib]) + " us",
                  file=sys.stderr)
    return result, outputs


# -- fresh subprocesses ----------------------------------------------------------------

def python_env(extra=None, drop=()):
    env = dict(os.environ)
    pin_threads(env)
    for k in drop:
        env.pop(k, None)
    if extra:
        env.update(extra)
    return env


def run_python(code, env, timeout=120):
    """Run `python -c code`; returns (wall seconds, stdout). Raises on failure."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout,
                       cwd=REPO)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"subprocess failed: {tail}")
    return wall, p.stdout


def run_script(args, env, timeout=300):
    p = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"subprocess failed (rc={p.returncode}): {tail}")
    return p.stdout


# -- results and the table ---------------------------------------------------------------

LIBS = ("dxdy", "torch", "numpy")


class Row:
    """One line of the table: a value per library, and optionally a target on dxdy's ratio."""

    def __init__(self, key, label, unit, values, *, target=None, note=None, lower_is_better=True, detail=None):
        self.key = key            # workload name (for --only and the JSON)
        self.label = label
        self.unit = unit          # 'us', 'ms', 's', 'MB': how values (seconds or bytes) are shown
        self.values = values      # {lib: float | Exception | None}
        self.target = target      # (base lib, max ratio) or None
        self.note = note
        self.detail = detail      # extra results for the JSON only (the ops row: every op's times)

    def ratio(self, a, b):
        va, vb = self.values.get(a), self.values.get(b)
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and vb > 0:
            return va / vb
        return None

    def verdict(self):
        if self.target is None:
            return ""
        base, limit = self.target
        r = self.ratio("dxdy", base)
        if r is None:
            v = self.values.get("dxdy")
            return "N/A" if isinstance(v, NotAvailable) else "ERROR"
        return "PASS" if r <= limit else "FAIL"

    def as_json(self):
        def enc(v):
            if isinstance(v, NotAvailable):
                return {"not_available": str(v)}
            if isinstance(v, Exception):
                return {"error": f"{type(v).__name__}: {v}"}
            return v
        return {"key": self.key, "label": self.label, "unit": self.unit,
                "values": {k: enc(v) for k, v in self.values.items()},
                "ratios": {"dxdy/torch": self.ratio("dxdy", "torch"), "dxdy/numpy": self.ratio("dxdy", "numpy"),
                           "torch/numpy": self.ratio("torch", "numpy")},
                "target": None if self.target is None else {"vs": self.target[0], "max_ratio": self.target[1]},
                "verdict": self.verdict(), "note": self.note,
                **({"detail": self.detail} if self.detail is not None else {})}


_SCALE = {"us": 1e6, "ms": 1e3, "s": 1.0, "MB": 1 / 2 ** 20, "count": 1.0}


def fmt_value(v, unit):
    if v is None:
        return "-"
    if isinstance(v, NotAvailable):
        return "n/a"
    if isinstance(v, Exception):
        return "error"
    x = v * _SCALE[unit]
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def render(rows):
    head = ["workload", "unit", "dxdy", "torch", "numpy", "dxdy/torch", "dxdy/numpy", "torch/numpy", "target",
            "result"]
    body = []
    for row in rows:
        target = "" if row.target is None else f"<= {row.target[1]:g}x {row.target[0]}"
        body.append([row.label, row.unit] + [fmt_value(row.values.get(lib), row.unit) for lib in LIBS]
                    + [fmt_ratio(row.ratio("dxdy", "torch")), fmt_ratio(row.ratio("dxdy", "numpy")),
                       fmt_ratio(row.ratio("torch", "numpy")), target, row.verdict()])
    widths = [max(len(str(r[i])) for r in [head] + body) for i in range(len(head))]
    left = {0, 8, 9}

    def line(cells):
        return "  ".join(str(c).ljust(w) if i in left else str(c).rjust(w) for i, (c, w) in
                         enumerate(zip(cells, widths))).rstrip()

    out = [line(head), line(["-" * w for w in widths])]
    out += [line(r) for r in body]
    return "\n".join(out)


def footnotes(rows):
    notes = []
    for row in rows:
        for lib in LIBS:
            v = row.values.get(lib)
            if isinstance(v, NotAvailable):
                notes.append(f"[{row.key}] {lib}: not available ({v})")
            elif isinstance(v, Exception):
                notes.append(f"[{row.key}] {lib}: {type(v).__name__}: {_short(v)}")
        if row.note:
            notes.append(f"[{row.key}] {row.note}")
    return list(dict.fromkeys(notes))


def _short(e, n=300):
    s = str(e).replace("\n", " ")
    return s if len(s) <= n else s[:n] + "..."

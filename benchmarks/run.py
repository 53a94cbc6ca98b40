"""dxdy against PyTorch (CPU) and hand-written NumPy, side by side, one thread each.

    python benchmarks/run.py              # everything (about 3 minutes)
    python benchmarks/run.py --quick      # fewer repeats (about 85 seconds)
    python benchmarks/run.py --only per_op,mlp
    python benchmarks/run.py --only ops   # about 50 common ops, every op's ratio in a footnote
    python benchmarks/run.py --list

Prints the machine and versions, then one table of times, the ratios
dxdy/PyTorch and dxdy/NumPy, the target each ratio must meet, and PASS/FAIL.
See benchmarks/README.md for what each row measures and how.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# Every library on one thread, before numpy or torch is imported (by anything).
from _harness import pin_threads  # noqa: E402  (imports neither numpy nor torch)

pin_threads()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import _harness  # noqa: E402
import workloads as W  # noqa: E402
from _harness import (LIBS, REPO, Row, fmt_ratio, footnotes, measure, python_env, render,  # noqa: E402
                      run_python, run_script)


def import_libs():
    """Import torch and dxdy now (so no workload pays for it); an import error is kept, not raised."""
    mods = {}
    for lib in ("torch", "dxdy"):
        try:
            mods[lib] = W.load(lib)
        except Exception as e:  # noqa: BLE001
            mods[lib] = e
    return mods


def build_steps(builder, libs, mods):
    steps, errors = {}, {}
    for lib in libs:
        if isinstance(mods.get(lib), Exception):
            errors[lib] = mods[lib]
            continue
        try:
            steps[lib] = builder(lib)
        except Exception as e:  # noqa: BLE001  (NotAvailable included)
            errors[lib] = e
    return steps, errors


def check_agree(outputs, values, rtol=1e-4, atol=1e-6, same_dtype=False):
    """Compare what each library's first step returned with NumPy's (or PyTorch's) result.

    A library whose answer disagrees gets its value replaced by the error, so a
    fast wrong answer never scores. With same_dtype, the dtypes must match too.
    """
    results = {}
    for lib, out in outputs.items():
        if not isinstance(values.get(lib), float):
            continue
        try:
            results[lib] = [W.to_numpy(v) for v in (out if isinstance(out, (list, tuple)) else (out,))]
        except Exception as e:  # noqa: BLE001
            values[lib] = e
    ref_lib = "numpy" if "numpy" in results else ("torch" if "torch" in results else None)
    if ref_lib is None:
        return
    ref = results[ref_lib]
    for lib, got in results.items():
        if lib == ref_lib:
            continue
        ok = len(got) == len(ref) and all(
            g is not None and np.shape(g) == np.shape(r) and np.allclose(g, r, rtol=rtol, atol=atol)
            and (not same_dtype or np.asarray(g).dtype == np.asarray(r).dtype)
            for g, r in zip(got, ref))
        if not ok:
            values[lib] = AssertionError(f"result differs from {ref_lib}'s")


def timing_row(key, label, unit, builder, mods, cfg, *, per=1, libs=LIBS, target=None, note=None, check=True,
               warmup=2, block_s=None, repeats=None, budget_s=None, tol=None):
    steps, errors = build_steps(builder, libs, mods)
    values, outputs = measure(steps, repeats=repeats or cfg.repeats, warmup=warmup,
                        block_s=cfg.block_s if block_s is None else block_s,
                        budget_s=cfg.budget_s if budget_s is None else budget_s, stat=cfg.stat)
    values = {lib: (v / per if isinstance(v, float) else v) for lib, v in values.items()}
    values.update(errors)
    if check:
        check_agree(outputs, values, **(tol or {}))
    steps.clear()
    outputs.clear()
    gc.collect()
    return Row(key, label, unit, values, target=target, note=note)


# -- the workloads ------------------------------------------------------------------------

def bench_per_op(mods, cfg):
    return [timing_row("per_op", f"1 per-op: 4-elem f64, {W.PER_OP_N}-op chain + backward", "us",
                       W.build_per_op, mods, cfg, per=W.PER_OP_N, target=("torch", 1.0),
                       note=f"per_op: (forward + sum + backward + x.grad=None) / {W.PER_OP_N} ops")]


def bench_tutorial(mods, cfg):
    return [timing_row("tutorial", "2 tutorial listing (loop body)", "us", W.build_tutorial, mods, cfg,
                       target=("torch", 1.0)),
            timing_row("tutorial", "2b ... incl. making x and y (info)", "us", W.build_tutorial_full, mods, cfg,
                       check=False)]


def bench_mlp(mods, cfg):
    return [timing_row("mlp", "3 MLP step f32 256x784-512-10 + SGD", "ms", W.build_mlp, mods, cfg,
                       target=("numpy", 1.10), tol=dict(rtol=1e-3, atol=1e-5), budget_s=cfg.budget_s)]


def bench_big(mods, cfg):
    """Time and peak memory each in fresh processes, one library per process; an in-process row for reference.

    Arrays of 80 MB come fresh from the kernel on every allocation, so this workload
    times page faults as much as arithmetic, and their cost depends on what else the
    process has been doing: interleaved in one process with PyTorch (whose freed 4 KiB
    pages fragment memory), dxdy's and NumPy's steps slow down by up to 3x. The target
    is therefore judged on each library alone in a process, as a program would run it.
    """
    data = {"x": W.big_data()}  # one input for all three in the reference row (which also checks the gradients)
    inproc = timing_row("big", "4 ... time, all in one process (info)", "ms",
                        lambda lib: W.build_big(lib, data["x"]), mods, cfg, warmup=1, block_s=0,
                        repeats=cfg.big_repeats)
    data.clear()
    gc.collect()
    rss, traced, faults, alone = {}, {}, {}, {}
    times = {lib: [] for lib in LIBS}
    for r in range(cfg.big_rounds):
        for lib in LIBS:
            if isinstance(mods.get(lib), Exception):
                rss[lib] = faults[lib] = alone[lib] = mods[lib]
                continue
            if isinstance(rss.get(lib), Exception):
                continue
            try:
                out = run_script([os.path.join(HERE, "_memory_child.py"), lib, "rss"], python_env())
                res = json.loads(out.strip().splitlines()[-1])
                rss[lib] = max(rss.get(lib, 0.0), float(res["bytes"]))
                rss["method"] = res["method"]
                faults[lib] = float(res["minflt"])
                times[lib].append(float(res["seconds"]))
            except Exception as e:  # noqa: BLE001
                rss[lib] = faults[lib] = alone[lib] = e
    for lib in ("dxdy", "numpy"):
        if isinstance(mods.get(lib), Exception):
            traced[lib] = mods[lib]
            continue
        try:
            out = run_script([os.path.join(HERE, "_memory_child.py"), lib, "traced"], python_env())
            traced[lib] = float(json.loads(out.strip().splitlines()[-1])["bytes"])
        except Exception as e:  # noqa: BLE001
            traced[lib] = e
    pick = min if cfg.stat == "min" else statistics.median
    for lib in LIBS:
        if lib not in alone:
            alone[lib] = pick(times[lib]) if times[lib] else None
        if isinstance(inproc.values.get(lib), AssertionError):  # a wrong gradient does not get a time
            alone[lib] = inproc.values[lib]
    n_runs = max(len(v) for v in times.values())
    return [
        Row("big", "4 1e7 f64 sum(sin(x)*x+exp(-x)) time", "ms", alone, target=("numpy", 1.2),
            note=f"big: time and memory from a fresh process per library ({cfg.stat} over {n_runs} process(es) x 3 "
                 f"steps); the in-process row, where the libraries alternate, is skewed by page-fault costs"),
        Row("big", "4 ... peak memory, RSS", "MB", {k: rss.get(k) for k in LIBS}, target=("numpy", 1.5),
            note=f"big: peak memory above the baseline with x allocated, gradient held (RSS by "
                 f"{rss.get('method', '?')}; the tracemalloc row counts NumPy's allocations as traced)"),
        Row("big", "4 ... peak memory, tracemalloc (info)", "MB", {k: traced.get(k) for k in ("dxdy", "numpy")}),
        Row("big", "4 ... minor page faults per step (info)", "count", faults),
        inproc,
    ]


def bench_chain(mods, cfg):
    """Each library alone in a fresh process (a crash shows as an error), rounds interleaved."""
    n = W.CHAIN_N
    runs = {lib: [] for lib in LIBS}
    values, grads = {}, {}
    start = time.perf_counter()
    for r in range(cfg.chain_repeats):
        if r and time.perf_counter() - start > cfg.chain_budget_s:
            break
        for lib in LIBS:
            if lib in values:
                continue
            if isinstance(mods.get(lib), Exception):
                values[lib] = mods[lib]
                continue
            try:
                out = run_script([os.path.join(HERE, "_chain_child.py"), lib, str(n)], python_env(), timeout=600)
                res = json.loads(out.strip().splitlines()[-1])
                runs[lib].append(res["seconds"] / n)
                grads[lib] = res["grad"]
            except Exception as e:  # noqa: BLE001
                values[lib] = e
    pick = min if cfg.stat == "min" else statistics.median
    for lib in LIBS:
        if lib not in values:
            values[lib] = pick(runs[lib]) if runs[lib] else None
    expected = W.CHAIN_C ** n
    for lib, g in grads.items():
        if isinstance(values.get(lib), float) and not np.isclose(g, expected, rtol=1e-6):
            values[lib] = AssertionError(f"gradient {g} != {expected}")
    return [Row("chain", f"5 chain of {n:.0e} scalar muls + backward", "us", values, target=("torch", 1.0),
                note=f"chain: per node, forward + backward + freeing the graph, each library alone in a fresh "
                     f"process ({cfg.stat} over {max(len(v) for v in runs.values())} run(s)); the numpy column is two "
                     f"loops of float multiplies (no graph)")]


def bench_import(mods, cfg):
    """`import X` timed inside fresh interpreters, several times, libraries interleaved.

    The bytecode cache is pointed at a temporary folder (PYTHONPYCACHEPREFIX), filled
    by a first unmeasured run, so every library imports from .pyc as after a pip install,
    even where PYTHONDONTWRITEBYTECODE is set (it is unset for these children).
    """
    cache = tempfile.mkdtemp(prefix="dxdy-bench-pycache-")
    env = python_env({"PYTHONPYCACHEPREFIX": cache}, drop=("PYTHONDONTWRITEBYTECODE",))
    code = "import time; t = time.perf_counter(); import {m}; print(time.perf_counter() - t)"
    inner = {m: [] for m in ("dxdy", "numpy", "torch")}
    wall = {m: [] for m in inner}
    errors = {}
    wall_base = []
    try:
        for m in inner:  # warm-up: compile to the cache, page in the files
            try:
                run_python(code.format(m=m), env)
            except Exception as e:  # noqa: BLE001
                errors[m] = e
        for k in range(cfg.import_repeats):
            wall_base.append(run_python("pass", env)[0])
            for m in inner:
                if m in errors or (m == "torch" and k >= 3):  # torch's import is info only, and slow
                    continue
                w, out = run_python(code.format(m=m), env)
                wall[m].append(w)
                inner[m].append(float(out.strip().splitlines()[-1]))
        # As this environment runs it: the default bytecode settings (no cache written when
        # PYTHONDONTWRITEBYTECODE is set, so dxdy's source is compiled on every import).
        raw = {m: [] for m in ("dxdy", "numpy")}
        raw_env = python_env()
        for _ in range(max(3, cfg.import_repeats // 2)):
            for m in raw:
                if m in errors:
                    continue
                raw[m].append(float(run_python(code.format(m=m), raw_env)[1].strip().splitlines()[-1]))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    def med(d):
        pick = min if cfg.stat == "min" else statistics.median
        return {m: (errors[m] if m in errors else pick(v) if v else None) for m, v in d.items()}

    base = min(wall_base) if cfg.stat == "min" else statistics.median(wall_base)
    vals_inner = {"dxdy": med(inner)["dxdy"], "numpy": med(inner)["numpy"], "torch": med(inner)["torch"]}
    vals_wall = {m: v for m, v in med(wall).items()}
    dont_write = "PYTHONDONTWRITEBYTECODE" in os.environ
    return [
        Row("import", "6 import time (in-process, from .pyc)", "ms", vals_inner, target=("numpy", 1.3),
            note=f"import: {cfg.stat} of {cfg.import_repeats} fresh interpreters each (torch: 3); the numpy column "
                 f"is `import numpy` (dxdy's own import includes it)"),
        Row("import", "6b python -c 'import X' wall (info)", "ms", vals_wall,
            note=f"import: wall of the whole `python -c` process; `python -c pass` alone takes "
                 f"{base * 1e3:.1f} ms"),
        Row("import", "6c import, this env's bytecode setting (info)", "ms", med(raw),
            note="import: 6c uses the environment as it is"
                 + (" (PYTHONDONTWRITEBYTECODE is set: an editable dxdy is compiled from source on every "
                    "import, NumPy ships its .pyc)" if dont_write else "")),
    ]


def bench_jacobian(mods, cfg):
    return [timing_row("jacobian", f"J of tanh(Wx), {W.JAC_N}x{W.JAC_N} (info)", "ms", W.build_jacobian, mods,
                       cfg, warmup=1, tol=dict(rtol=1e-6, atol=1e-9))]


def bench_hessian(mods, cfg):
    return [timing_row("hessian", f"H of sum(tanh(Wx)), {W.HESS_N}x{W.HESS_N} (info)", "ms", W.build_hessian,
                       mods, cfg, warmup=1, tol=dict(rtol=1e-6, atol=1e-9))]


def bench_ops(mods, cfg):
    """Each of W.OPS timed on its own, dxdy against torch; a geometric-mean row and a slowest-op row.

    Blocks are shorter than elsewhere (a call takes microseconds) so that about 50 ops
    fit in seconds; each op's libraries still alternate block by block.
    """
    libs = ("dxdy", "torch")
    times, failed, broken = {}, {}, {}  # {op: {lib: s}}, {op: dxdy's error}, {op: torch's error}
    for op in W.OPS:
        if _harness.VERBOSE:
            print(f"  {op.name}", file=sys.stderr)
        steps, errors = build_steps(lambda lib: W.build_op(lib, op), libs, mods)
        values, outputs = measure(steps, repeats=cfg.repeats, warmup=2, block_s=cfg.ops_block_s,
                                  budget_s=cfg.ops_budget_s, stat=cfg.stat)
        values.update(errors)
        check_agree(outputs, values, rtol=1e-4, atol=1e-5, same_dtype=True)
        steps.clear()
        outputs.clear()
        if not isinstance(values.get("torch"), float):
            broken[op.name] = values.get("torch")
        elif not isinstance(values.get("dxdy"), float):
            failed[op.name] = values.get("dxdy")
        else:
            times[op.name] = values
    gc.collect()
    ratios = {name: t["dxdy"] / t["torch"] for name, t in times.items()}
    slowest = sorted(ratios, key=ratios.get, reverse=True)

    def geomean(xs):
        return math.exp(statistics.fmean(math.log(x) for x in xs)) if xs else None

    # The ratio of the geometric means of the times is the geometric mean of the ratios.
    mean = {lib: geomean([t[lib] for t in times.values()]) for lib in libs}
    worst = dict(times[slowest[0]]) if slowest else {lib: None for lib in libs}
    if failed:
        names = ", ".join(failed)
        err = AssertionError(f"{len(failed)} op(s) failed or differ from torch's result ({names}); the geometric "
                             f"mean of the other {len(times)} is {fmt_ratio(geomean(list(ratios.values())))}")
        mean["dxdy"] = worst["dxdy"] = err
    n = len(W.OPS)
    top5 = ", ".join(f"{name} {ratios[name]:.1f}x" for name in slowest[:5])
    cells = [f"{name:18s} {ratios[name]:5.2f}x {times[name]['dxdy'] * 1e6:6.1f}/{times[name]['torch'] * 1e6:<6.1f}"
             for name in slowest]
    every = "\n      ".join("   ".join(cells[i:i + 3]).rstrip() for i in range(0, len(cells), 3))
    notes = [f"ops: {n} ops on tiny float32 tensors, one at a time; forward + sum + backward per call (creation and "
             f"no-grad rows: the call alone); both rows in us, {cfg.stat} over blocks; slowest five: {top5}"]
    if every:
        notes.append(f"ops: every op, slowest first: dxdy/torch ratio, dxdy/torch us per call\n      {every}")
    for name, e in failed.items():
        notes.append(f"[ops] {name}: dxdy: {type(e).__name__}: {e}")  # footnotes() prefixes only the first line
    for name, e in broken.items():
        notes.append(f"[ops] {name}: torch: {type(e).__name__}: {e} (left out of both columns)")
    detail = {name: {"dxdy": t["dxdy"], "torch": t["torch"], "ratio": ratios[name]} for name, t in times.items()}
    detail.update({name: {"dxdy": f"{type(e).__name__}: {e}"} for name, e in failed.items()})
    return [Row("ops", f"7 {n} common ops, tiny: geometric mean", "us", mean, target=("torch", 0.9),
                note=notes[0], detail=detail),
            Row("ops", f"7b ... slowest op: {slowest[0] if slowest else '-'}", "us", worst, target=("torch", 1.5),
                note="\n  ".join(notes[1:]) or None)]


DESCRIPTIONS = {
    "per_op": "1. 200-op element-wise chain on a 4-element f64 vector + backward (us per op); <= 1.0x torch",
    "tutorial": "2. the tutorial's first listing as a loop body; <= 1.0x torch (2b: with tensor creation, info)",
    "mlp": "3. MLP step, f32, 256x784-512-10, relu, log_softmax + NLL by indexing, SGD; <= 1.10x numpy",
    "big": "4. 1e7-element f64 loss + backward: time <= 1.2x numpy, peak memory <= 1.5x numpy",
    "chain": "5. 1e6 scalar multiplies + backward, fresh process per library (us per node); <= 1.0x torch",
    "import": "6. `import dxdy` vs `import numpy` in fresh interpreters; <= 1.3x numpy",
    "jacobian": "256x256 Jacobian via autograd.functional.jacobian (info)",
    "hessian": "256x256 Hessian via autograd.functional.hessian (info)",
    "ops": "7. about 50 common ops one by one on tiny tensors (us per call): geometric mean <= 0.9x torch, "
           "each op <= 1.5x",
}

BENCHES = {
    "per_op": bench_per_op,
    "tutorial": bench_tutorial,
    "mlp": bench_mlp,
    "big": bench_big,
    "chain": bench_chain,
    "import": bench_import,
    "jacobian": bench_jacobian,
    "hessian": bench_hessian,
    "ops": bench_ops,
}


class Config:
    def __init__(self, quick, stat):
        self.stat = stat
        self.repeats = 11 if quick else 31
        self.block_s = 0.02
        self.budget_s = 4.0 if quick else 12.0
        self.big_repeats = 2 if quick else 3
        self.big_rounds = 1 if quick else 2
        self.chain_repeats = 1 if quick else 2
        self.chain_budget_s = 0.0 if quick else 60.0  # a second round only when the first took < 60 s
        self.import_repeats = 5 if quick else 11
        self.ops_block_s = 0.01
        self.ops_budget_s = 0.4 if quick else 1.2  # per op; about 50 ops


# -- the header ---------------------------------------------------------------------------

def _git(*args):
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(mods, cfg, args):
    lines = []
    lines.append(f"machine : {_cpu_name()}, {os.cpu_count()} logical CPUs, {platform.system()} "
                 f"{platform.release()}")
    try:
        load = os.getloadavg()
        lines.append(f"load    : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min; other processes on the "
                     f"machine skew absolute times, less so ratios)")
    except OSError:
        pass
    lines.append(f"python  : {platform.python_implementation()} {platform.python_version()} ({sys.executable})")
    blas = ""
    try:
        cfgs = np.show_config(mode="dicts")
        blas = cfgs.get("Build Dependencies", {}).get("blas", {}).get("name", "")
    except Exception:  # noqa: BLE001
        pass
    lines.append(f"numpy   : {np.__version__}" + (f" (BLAS: {blas})" if blas else ""))
    t = mods.get("torch")
    lines.append(f"torch   : {t.__version__} (threads={t.get_num_threads()})" if not isinstance(t, Exception)
                 else f"torch   : not importable ({t})")
    d = mods.get("dxdy")
    if isinstance(d, Exception):
        lines.append(f"dxdy    : not importable ({type(d).__name__}: {d})")
    else:
        rev = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--", "src")
        lines.append(f"dxdy    : {getattr(d, '__version__', '?')} from {os.path.dirname(d.__file__)}"
                     + (f" (git {rev}{', src/ has uncommitted changes' if dirty else ''})" if rev else ""))
    lines.append("threads : " + " ".join(f"{k}={os.environ[k]}" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                                                          "OPENBLAS_NUM_THREADS")))
    lines.append(f"mode    : {'quick' if args.quick else 'full'}; {cfg.stat} of up to {cfg.repeats} interleaved "
                 f"blocks per timing; gc {'frozen after imports' if not args.no_gc_freeze else 'not frozen'}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="fewer repeats (about 85 seconds; the full run takes about 3 minutes)")
    p.add_argument("--only", default=None, help="comma-separated workloads: " + ",".join(BENCHES))
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--stat", choices=("min", "median"), default="min",
                   help="how the timed blocks of one library are summarised (default: min)")
    p.add_argument("--json", default=None, metavar="PATH", help="also write the results as JSON")
    p.add_argument("--verbose", action="store_true", help="print every timed sample to stderr")
    p.add_argument("--no-gc-freeze", action="store_true",
                   help="leave the objects made by importing torch/dxdy in the collected generations")
    args = p.parse_args(argv)
    if args.list:
        for name in BENCHES:
            print(f"{name:10s} {DESCRIPTIONS[name]}")
        return 0
    names = list(BENCHES) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        p.error(f"unknown workload(s) {unknown}; choose from {list(BENCHES)}")
    cfg = Config(args.quick, args.stat)
    _harness.VERBOSE = args.verbose
    mods = import_libs()
    mods["numpy"] = np
    if not args.no_gc_freeze:
        # Objects made by importing torch and dxdy (hundreds of thousands) sit in the oldest
        # generation, and every full collection walks them; a dxdy-only program has far fewer.
        # Freezing them keeps one library's imports out of the others' collection costs.
        gc.collect()
        gc.freeze()
    print(header(mods, cfg, args), flush=True)
    print(flush=True)
    rows = []
    t0 = time.perf_counter()
    for name in names:
        t = time.perf_counter()
        try:
            new = BENCHES[name](mods, cfg)
        except Exception as e:  # noqa: BLE001
            new = [Row(name, name, "ms", {lib: e for lib in LIBS})]
        rows.extend(new)
        print(f"  ... {name} done in {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    print(render(rows))
    notes = footnotes(rows)
    if notes:
        print()
        for n in notes:
            print("  " + n)
    verdicts = [r.verdict() for r in rows if r.target is not None]
    print(f"\n{verdicts.count('PASS')} PASS, {verdicts.count('FAIL')} FAIL, "
          f"{len(verdicts) - verdicts.count('PASS') - verdicts.count('FAIL')} not measured; "
          f"total {time.perf_counter() - t0:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": [r.as_json() for r in rows]}, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())

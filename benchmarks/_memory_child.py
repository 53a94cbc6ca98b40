"""Peak memory of one step of the 10^7-element loss, in a fresh process: `python _memory_child.py LIB`.

Prints one JSON line: {"bytes": peak, "method": how, "minflt": minor page faults of the
measured step, "seconds": the fastest of 3 more steps (rss method only: the time row of run.py)}.

Both numbers are the peak *above* the memory in use just before the step, with
the input x (80 MB) already allocated, so they are what the loss and its
gradient cost; the gradient the step returns is held until the peak is read, so
it counts.

- rss: resident set size, the same method for all three libraries. On Linux the
  high-water mark is reset just before the step (`echo 5 > /proc/self/clear_refs`)
  and read after it (VmHWM - VmRSS before). Elsewhere: ru_maxrss after - before,
  which under-reports when the process peaked higher earlier.
- traced: tracemalloc's peak (NumPy reports its data buffers to tracemalloc), for
  numpy and dxdy only; PyTorch's allocator does not report to tracemalloc.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import pin_threads  # noqa: E402  (imports neither numpy nor torch)

pin_threads()

import gc  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402


def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _can_reset_hwm():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        _status("VmHWM")
        return True
    except OSError:
        return False


def _maxrss():
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r if sys.platform == "darwin" else r * 1024


def measure(lib, method):
    import numpy as np  # noqa: F401
    import workloads
    if lib != "numpy":
        workloads.load(lib)
    step = workloads.build_big(lib)
    g = step()  # warm-up: lazy imports, code paths, first-touch of anything cached
    del g
    gc.collect()
    if method == "traced":
        import tracemalloc
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        g = step()
        peak = tracemalloc.get_traced_memory()[1]
        del g
        tracemalloc.stop()
        return peak - before, "tracemalloc"
    if _can_reset_hwm():
        before = _status("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        g = step()
        peak = _status("VmHWM")
        del g  # held until the peak was read: the gradient counts
        return peak - before, "VmHWM"
    before = _maxrss()
    g = step()
    peak = _maxrss()
    del g
    return peak - before, "ru_maxrss"


def faults_and_time(lib):
    """Minor page faults of one step, and the fastest of 3 steps, in this process alone."""
    import time
    import workloads
    step = workloads.build_big(lib)
    step()
    gc.collect()
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    step()
    minflt = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
    best = float("inf")
    for _ in range(3):
        gc.collect()
        t0 = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - t0)
    return minflt, best


def main():
    lib, method = sys.argv[1], sys.argv[2]
    value, how = measure(lib, method)
    out = {"bytes": value, "method": how}
    if method == "rss":
        out["minflt"], out["seconds"] = faults_and_time(lib)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""One library's 10^6-node chain in a fresh process: `python _chain_child.py LIB N`.

Prints one JSON line: {"seconds": s, "grad": float, "gc_objects": n}. The process
imports only the library under test (and numpy), so the garbage collector walks
that library's objects and no other's, as in a program that uses it alone.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import pin_threads  # noqa: E402

pin_threads()

import gc  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402


def main():
    lib, n = sys.argv[1], int(sys.argv[2])
    import workloads as W
    step = W.build_chain(lib, n)
    gc.collect()
    objects = len(gc.get_objects())
    t0 = time.perf_counter()
    g = step()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "grad": float(W.to_numpy(g)), "gc_objects": objects}))


if __name__ == "__main__":
    main()

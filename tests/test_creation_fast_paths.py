"""The creation functions' fast paths give PyTorch's values, dtypes and errors over random arguments.

Ranges of up to creation._FEW elements are computed in Python's floats (each fma exactly, then rounded once);
longer ones by NumPy's path; both are checked here on both sides of that length, over starts, ends and steps
of every kind: short fractions (nothing rounds), full doubles, float32 values, signed zeros, tiny and huge
magnitudes. Data lists of Python numbers and fills take shortcuts of their own.
"""
import math

import numpy as np
import pytest
import torch

import dxdy
from dxdy import creation
from test_creation_values import FLOATS, INTS, assert_same


def a_number(rng):
    """A start, end or step of a random kind."""
    kind = rng.integers(8)
    if kind == 0:
        return float(rng.integers(-40, 40)) / 2 ** int(rng.integers(0, 6))  # a short fraction
    if kind == 1:
        return float(rng.uniform(-100, 100))  # a full double
    if kind == 2:
        return float(np.float32(rng.uniform(-10, 10)))  # a float32
    if kind == 3:
        return int(rng.integers(-50, 50))
    if kind == 4:
        return float(rng.choice([0.0, -0.0, 1.0, -1.0]))
    if kind == 5:  # tiny: subnormal doubles and float32s among them
        return float(rng.choice([1e-310, -3e-320, 2.0 ** -1000, 1e-40, 1e-45, 2.0 ** -126]))
    if kind == 6:  # beyond float16 and float32
        return float(rng.choice([7e4, -6.6e4, 3e38, -3.4e38, 1e39, 1e300]))
    return float(rng.uniform(-1, 1) * 10.0 ** rng.integers(-8, 8))


def test_few_is_where_the_paths_meet():
    assert 8 <= creation._FEW <= 200  # (the tests below try lengths on both sides of it)


def test_arange_on_random_arguments():
    rng = np.random.default_rng(20261207)
    lengths = list(range(0, 20)) + [31, 32, 33, 63, 64, 65, 66, 70]
    for i in range(1500):
        start, step = a_number(rng), a_number(rng)
        if not step:
            step = 0.5
        n = lengths[i % len(lengths)]
        end = start + step * n - step * float(rng.choice([0.0, 0.5, 0.999]))
        dtype = (FLOATS + [None])[i % 4] if i % 6 else INTS[i // 6 % len(INTS)]
        assert_same("arange", start, end, step, dtype=dtype)


def test_linspace_on_random_arguments():
    rng = np.random.default_rng(20261208)
    for i in range(1500):
        start, end = a_number(rng), a_number(rng)
        steps = int(rng.integers(0, 72))
        dtype = (FLOATS + [None] + INTS)[i % 9] if i % 3 else "float64"
        assert_same("linspace", start, end, steps, dtype=dtype)


def test_logspace_on_random_arguments():
    rng = np.random.default_rng(20261209)
    for i in range(600):
        start, end = a_number(rng) / 50, a_number(rng) / 50
        steps = int(rng.integers(0, 72))
        base = [10.0, 2.0, math.e, 0.5, 1.5, -2.0, 0.0, 1.0][i % 8]
        dtype = (FLOATS + [None] + INTS)[i % 9] if i % 3 else "float64"
        assert_same("logspace", start, end, steps, base=base, dtype=dtype)


def test_the_range_paths_with_the_default_dtype_float64():
    rng = np.random.default_rng(20261210)
    try:
        for lib in (torch, dxdy):
            lib.set_default_dtype(lib.float64)
        for _ in range(300):
            start, step = a_number(rng), a_number(rng) or 0.25
            assert_same("arange", start, start + step * int(rng.integers(0, 70)), step)
            assert_same("linspace", start, a_number(rng), int(rng.integers(0, 70)))
    finally:
        for lib in (torch, dxdy):
            lib.set_default_dtype(lib.float32)


def same_tensor(make):
    """make(lib) in both libraries: the same dtype and values (NaN where PyTorch has NaN), or the same error."""
    results = []
    for lib in (torch, dxdy):
        try:
            results.append(make(lib))
        except Exception as e:  # noqa: BLE001 - the point is to compare them
            results.append((type(e).__name__, str(e).splitlines()[0].replace("dxdy", "torch")))
    t, d = results
    if isinstance(t, tuple) or isinstance(d, tuple):
        assert d == t
        return
    assert str(d.dtype).replace("dxdy", "torch") == str(t.dtype) and tuple(d.shape) == tuple(t.shape)
    assert np.array_equal(d.numpy(), t.numpy(), equal_nan=True)


def a_leaf(rng):
    kind = rng.integers(5)
    if kind == 0:
        return bool(rng.integers(2))
    if kind == 1:
        return int(rng.choice([0, 1, -1, 255, 256, -129, 2 ** 31, 2 ** 62, -2 ** 63]))
    if kind == 2:
        return float(rng.choice([0.5, -0.0, 1e5, 7e4, 1e39, -1e39, 3.4e38, float("inf"), float("nan")]))
    return float(rng.uniform(-10, 10))


def test_tensor_of_python_numbers():
    rng = np.random.default_rng(20261211)
    for i in range(400):
        shape = [(), (0,), (1,), (4,), (2, 3), (3, 1, 2)][i % 6]
        data = np.empty(shape, object)
        for index in np.ndindex(shape):
            data[index] = a_leaf(rng)
        data = data.tolist() if shape else data[()]
        dtype = [None, "float32", "float16", "float64", "int64", "int32", "uint8", "int8", "bool"][i % 9]
        same_tensor(lambda lib: lib.tensor(data, dtype=getattr(lib, dtype) if dtype else None))
        if isinstance(data, list):
            same_tensor(lambda lib: lib.tensor(tuple(data)))


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_sizes(fn):
    for size in [(2, 3), ((2, 3),), ([2, 3],), ((),), (0,), (2 ** 62, 2 ** 62), (-1, 2), (True,), ((2, True),),
                 (2.0,), (np.int64(3),), ((2, np.int32(2)),), (2 ** 63,), ((2, -3),)]:
        same_tensor(lambda lib: getattr(lib, fn)(*size).zero_())


def test_fills():
    for value in [1.5, -0.0, 7, -1, 255, 256, 2 ** 63 - 1, 2.0 ** 63, 2 ** 64 - 1, 2 ** 64, True, 1e39, 7e4,
                  float("inf"), float("nan"), 2.7, -2.7, np.float32(2.5), np.int64(3)]:
        for dtype in [None] + FLOATS + INTS + ["bool"]:
            same_tensor(lambda lib: lib.full((2, 3), value, dtype=getattr(lib, dtype) if dtype else None))
            same_tensor(lambda lib: lib.full_like(lib.zeros(3), value, dtype=getattr(lib, dtype) if dtype else None))


def test_eye():
    for n, m in [(0, 0), (0, 3), (3, 0), (1, 1), (3, 3), (2, 5), (5, 2), (4, None)]:
        for dtype in [None, "int64", "bool", "float16"]:
            same_tensor(lambda lib: lib.eye(n, m, dtype=getattr(lib, dtype) if dtype else None) if m is not None
                        else lib.eye(n, dtype=getattr(lib, dtype) if dtype else None))

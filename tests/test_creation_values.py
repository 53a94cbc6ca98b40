"""arange, range, linspace and logspace give PyTorch's values bit for bit (NOTE [Range values]).

Each case runs in both libraries and must give the same dtype, shape and bits (NaN anywhere PyTorch has
NaN), or the same exception type and first line of message.
"""
import warnings

import numpy as np
import pytest
import torch

import dxdy

FLOATS = ["float16", "float32", "float64"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


def outcome(lib, fn, args, kwargs):
    """lib.fn(*args, **kwargs) as an array, or as the (type, first line) of what it raised."""
    kwargs = {k: getattr(lib, v) if k == "dtype" and v else v for k, v in kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(lib, fn)(*args, **kwargs).numpy()
    except Exception as e:  # noqa: BLE001 - the point is to compare them
        return type(e).__name__, str(e).splitlines()[0].replace("dxdy", "torch")


def assert_same(fn, *args, **kwargs):
    t, d = outcome(torch, fn, args, kwargs), outcome(dxdy, fn, args, kwargs)
    call = f"{fn}{args} {kwargs}"
    if isinstance(t, tuple) or isinstance(d, tuple):
        assert type(d) is type(t) and d == t, (call, d, t)
        return
    assert (d.dtype, d.shape) == (t.dtype, t.shape), call
    nan = np.isnan(t) if t.dtype.kind == "f" else np.zeros(t.shape, bool)
    assert np.array_equal(np.isnan(d) if d.dtype.kind == "f" else nan, nan), call
    bits = f"u{t.itemsize}"
    wrong = np.flatnonzero(d.view(bits)[~nan] != t.view(bits)[~nan])
    assert not wrong.size, f"{call}: {wrong.size} of {t.size} elements differ, first at {wrong[:5]}: " \
                           f"{d[~nan][wrong[:5]]} instead of {t[~nan][wrong[:5]]}"


def test_the_issues_examples():
    # d2l's ReLU plot: arange(-8.0, 8.0, 0.1)[80] is 4.4e-16 in PyTorch, so relu's gradient there is 1
    assert_same("arange", -8.0, 8.0, 0.1)
    assert dxdy.arange(-8.0, 8.0, 0.1)[80].item() == torch.arange(-8.0, 8.0, 0.1)[80].item() > 0
    assert_same("linspace", -3, 3, 61)


ARANGE_CASES = [(10,), (4.0,), (0, 10), (1, 10, 3), (10, 0, -3), (0, 1, 0.1), (1, 2.5, 0.5), (-8.0, 8.0, 0.1),
                (0, 1, 1e-4), (1e-3, 1.0, 1e-3), (-1, 1, 1 / 3), (5, -5, -0.3), (0.5, 5.5, 1.5), (-0.5, -5.5, -1.5),
                (0, 2, 0.5), (0.9, 1, 1), (2.5, 1000.25, 3.3), (-0.0, 1, 0.5), (-0.0, -1, -0.5), (0, 0, 1),
                (65000, 66000, 600), (1e10, 1e10 + 3), (0, 2 ** 62, 2 ** 61), (0.1, 7.3, 0.7), (0, 100, 0.37),
                (-3, 3, 0.01), (0, 1, float("inf")), (2 ** 40, 2 ** 40 + 5, 2), (0, 300, 50), (-5, 5, 3),
                (0, 1, 1e-20), (1e-30, 1e-29, 1e-31), (0, 1e39, 1e38), (3.0, 4.0, 1e-3)]


@pytest.mark.parametrize("dtype", [None] + FLOATS + INTS + ["bool"])
def test_arange_on_chosen_ranges(dtype):
    for args in ARANGE_CASES:
        assert_same("arange", *args, dtype=dtype)


def human_numbers(rng, n):
    """Starts, ends and steps as people write them: a few decimals, magnitudes from 1e-3 to 1e3."""
    def rounded(x, low, high):
        return [round(float(v), int(d)) for v, d in zip(x, rng.integers(low, high, n))]
    start = rounded(rng.uniform(-100, 100, n), 0, 5)
    step = [v or 0.5 for v in rounded(rng.choice([-1, 1], n) * 10 ** rng.uniform(-3, 1.5, n), 1, 6)]
    end = rounded(np.add(start, np.multiply(step, rng.integers(0, 400, n))), 0, 5)
    return list(zip(start, end, step))


def test_arange_on_random_ranges():
    rng = np.random.default_rng(20260609)
    for i, (start, end, step) in enumerate(human_numbers(rng, 600)):
        dtype = (FLOATS + [None])[i % 4] if i % 5 else INTS[i // 5 % len(INTS)]
        assert_same("arange", start, end, step, dtype=dtype)
        if i % 7 == 0:  # integer bounds and step, as Python ints
            assert_same("arange", int(start), int(end), int(step) or 1, dtype=dtype)


def test_linspace_and_logspace_on_random_ranges():
    rng = np.random.default_rng(20260610)
    for i, (start, end, _) in enumerate(human_numbers(rng, 500)):
        steps = int(rng.choice([0, 1, 2, 3, 4, 5, 7, 10, 11, 50, 61, 100, 256, 1000]))
        dtype = (FLOATS + INTS + [None])[i % 9]
        assert_same("linspace", start, end, steps, dtype=dtype)
        base = [10.0, 2.0, np.e, 0.5, 1.5, -2.0][i % 6]
        assert_same("logspace", start / 25, end / 25, steps, base=base, dtype=dtype)
        if i % 5 == 0:
            assert_same("linspace", int(start), int(end), steps, dtype=dtype)
            assert_same("logspace", int(start) // 25, int(end) // 25, steps, base=base, dtype=dtype)


@pytest.mark.parametrize("dtype", [None] + FLOATS + INTS)
def test_linspace_and_logspace_on_chosen_ranges(dtype):
    for start, end, steps in [(0, 1, 5), (0, 10, 4), (0, 10, 7), (1, 0, 5), (-1, 1, 2), (5, 5, 3), (0, 100, 1000),
                              (3.3, -7.1, 77), (0, 255, 256), (-128, 127, 100), (2.7, 1, 1), (0, 1, 0),
                              (-8, 8, 5), (0, 1e40, 3), (1e40, 0, 1), (65519.999, 0, 1), (70000, 0, 1), (0, float("nan"), 3), (0, float("inf"), 2),
                              (0, 65504.5, 2), (0, 2 ** 63 - 1, 2), (-300, 8, 5), (0, 1, 40000)]:
        assert_same("linspace", start, end, steps, dtype=dtype)
    for start, end, steps, base in [(0, 2, 3, 10.0), (0, 2, 3, 2), (-3, 3, 61, 10.0), (0, 10, 3, 10.0),
                                    (0.5, 0, 2, -2.0), (0, -2, 3, 0.0), (0, 40, 3, 10.0), (400, 0, 1, 10.0),
                                    (40, 0, 1, 10.0), (10, 0, 1, 10.0), (0, 1, 3, float("nan")), (0, 1, 3, 2.0 ** 80),
                                    (-20, 20, 41, 3.0), (0, 1, 0, 10.0), (0.25, 0.75, 1, 2.0)]:
        assert_same("logspace", start, end, steps, base=base, dtype=dtype)


@pytest.mark.parametrize("dtype", [None] + FLOATS + INTS)
def test_range(dtype):
    cases = [(0, 3), (0.5, 3.7, 1.2), (2 ** 62, 2 ** 62 + 3), (0, 500, 100), (0, -3, 1), (0, 1, float("nan")),
             (0, float("inf")), (0, 1e40, 1e39), (0, 3, 0.0), (7, -2.5, -2)]
    if dtype not in INTS:  # PyTorch divides by zero, and dies, where a step truncates to 0 in an integer dtype
        cases += [(0, 3, 0.7), (0, 5000, 0.3), (1, -1, -0.25), (0, 1, 0.1), (-8.0, 8.0, 0.1), (0, 3, 0)]
    for args in cases:
        assert_same("range", *args, dtype=dtype)


def test_range_warns_as_pytorch_does():
    with pytest.warns(UserWarning) as t_warned:
        torch.range(0, 3)
    with pytest.warns(UserWarning) as d_warned:
        dxdy.range(0, 3)
    assert str(d_warned[0].message) == str(t_warned[0].message).replace("torch.", "dxdy.")
    assert d_warned[0].filename == __file__


def test_the_default_dtype_float64():
    try:
        for lib in (torch, dxdy):
            lib.set_default_dtype(lib.float64)
        for args in [(0, 1, 0.1), (-8.0, 8.0, 0.1), (0.5, 100, 0.37)]:
            assert_same("arange", *args)
            assert_same("linspace", *args[:2], 61)
            assert_same("logspace", *args[:2], 61)
    finally:
        for lib in (torch, dxdy):
            lib.set_default_dtype(lib.float32)


def test_long_ranges_as_pytorch_on_one_thread():
    # PyTorch splits more than 32768 elements among its threads, each starting its own vectors
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for dtype in FLOATS:
            assert_same("arange", 0, 100000, 1.1, dtype=dtype)
            assert_same("arange", -1, 1, 1e-5, dtype=dtype)
    finally:
        torch.set_num_threads(threads)


def test_numbers_of_other_kinds():
    for args in [(torch.tensor(3),), (torch.tensor(2.5),), (np.float32(2.5),), (np.int64(3), np.int32(9)), (True,),
                 (torch.tensor(True),), (torch.tensor([3]),), ("3",), (0, 2 ** 70), (0, 2 ** 63 + 5, 2 ** 62)]:
        targs = tuple(torch.tensor(a.numpy()) if isinstance(a, torch.Tensor) else a for a in args)
        t = outcome(torch, "arange", targs, {})
        d = outcome(dxdy, "arange", tuple(dxdy.tensor(a.numpy()) if isinstance(a, torch.Tensor) else a
                                          for a in args), {})
        assert type(t) is type(d) and (np.array_equal(t, d) and t.dtype == d.dtype if isinstance(t, np.ndarray)
                                       else t == d), (args, t, d)
    t = torch.linspace(torch.tensor(0.), torch.tensor(1.), torch.tensor(3))
    d = dxdy.linspace(dxdy.tensor(0.), dxdy.tensor(1.), dxdy.tensor(3))
    assert np.array_equal(t.numpy(), d.numpy())
    with pytest.raises(RuntimeError, match="linspace only supports 0-dimensional start and end tensors, but got "
                                           "start with 1 dimension"):
        dxdy.linspace(dxdy.tensor([0.]), dxdy.tensor(1.), 3)

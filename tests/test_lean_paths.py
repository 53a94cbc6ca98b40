"""The lean common-case paths of creation, indexing, dot and argmax give what the general paths give.

Each cheap path (a float32 value by struct instead of NumPy, x[i] made without the keyword call of the view op,
dot without apply, argmax by the array's method, random factories with one body) is compared with the path it
stands for: the same values bit for bit, dtypes, views and version counters, and errors (checked against
PyTorch where PyTorch is the reference, and against NumPy where the value is NumPy's: dxdy's random stream).
"""
import math
import warnings

import numpy as np
import pytest
import torch

import dxdy
from dxdy import creation
from dxdy.ops import index as index_ops

RNG = np.random.default_rng(20261208)
F32_MAX = float(np.finfo(np.float32).max)


def _doubles(n):
    """Doubles of every kind a bound can be: short fractions, full doubles, float32 values, tiny and huge."""
    kinds = [RNG.integers(-40, 40, n) / 2.0 ** RNG.integers(0, 6, n), RNG.uniform(-100, 100, n),
             RNG.uniform(-10, 10, n).astype(np.float32).astype(np.float64),
             RNG.uniform(-1, 1, n) * 10.0 ** RNG.integers(-45, 39, n),
             np.resize([0.0, -0.0, F32_MAX, -F32_MAX, 3.4e38, 1e-45, -1e-40, 2.0 ** -149, 16777217.0], n)]
    return [float(v) for v in np.concatenate(kinds)]


def test_float32_rounding_by_struct_is_numpys():
    for v in _doubles(400) + [math.inf, -math.inf, F32_MAX * (1 + 2 ** -25), 1e39, -1e39]:
        got = creation._to_float32(v)
        with np.errstate(over="ignore"):
            want = float(np.float32(v))
        assert got == want and math.copysign(1, got) == math.copysign(1, want), v


def test_bounds_in_the_dtype_are_scalar_tos():
    values = _doubles(200) + [0, 1, -7, 2 ** 24, -2 ** 24, 2 ** 24 + 1, 2 ** 53 + 1, 2 ** 62 + 3, -2 ** 63]
    for t in (np.float32, np.float64):
        for v in values:
            try:
                want = float(creation._scalar_to(v, t))
            except RuntimeError as e:
                with pytest.raises(RuntimeError, match=str(e)):
                    creation._double_in(v, t)
                continue
            got = creation._double_in(v, t)
            assert got == want and math.copysign(1, got) == math.copysign(1, want), (v, t)


def test_the_float32_step_is_numpys():
    doubles = [float(np.float32(v)) for v in _doubles(120) if abs(v) <= F32_MAX]
    for i in range(600):
        first, last = doubles[i % len(doubles)], doubles[(7 * i + 3) % len(doubles)]
        steps = [2, 3, 5, 64, 1000, 2 ** 24, 2 ** 24 + 1, 2 ** 24 + 2, 2 ** 25 + 3][i % 9]
        with np.errstate(over="ignore"):
            want = (np.float32(last) - np.float32(first)) / np.float32(steps - 1)
        got = creation._float32_step(first, last, steps)
        assert np.float32(got).tobytes() == want.tobytes(), (first, last, steps)


@pytest.mark.parametrize("dtype", [None, "float64", "float16"])
def test_random_factories_draw_the_generators_doubles(dtype):
    # dxdy's stream is NumPy's default generator: its doubles, cast to the dtype (the same draws for every dtype).
    d = getattr(dxdy, dtype) if dtype else None
    np_dtype = np.dtype(dtype or "float32")
    for seed in (0, 7, 2 ** 40):
        dxdy.manual_seed(seed)
        rng = np.random.default_rng(seed)
        cases = [
            (lambda: dxdy.rand(2, 3, dtype=d), lambda: rng.random((2, 3))),
            (lambda: dxdy.randn((4,), dtype=d), lambda: rng.standard_normal((4,))),
            (lambda: dxdy.rand(size=[3], dtype=d, requires_grad=True), lambda: rng.random((3,))),
            (lambda: dxdy.randn_like(dxdy.zeros(2, 2, dtype=d)), lambda: rng.standard_normal((2, 2))),
            (lambda: dxdy.rand_like(dxdy.zeros(5, dtype=d)), lambda: rng.random((5,))),
            (lambda: dxdy.normal(2.0, 3.0, (3, 2), dtype=d), lambda: 2.0 + 3.0 * rng.standard_normal((3, 2))),
        ]
        for make, draw in cases:
            got, want = make(), draw().astype(np_dtype)
            assert got.dtype == (d or dxdy.float32)
            assert got.detach().numpy().tobytes() == want.tobytes()
    g = dxdy.Generator().manual_seed(3)
    want = np.random.default_rng(3).random(3).astype(np.float32)
    assert dxdy.rand(3, generator=g).numpy().tobytes() == want.tobytes()


@pytest.mark.parametrize("fn", ["rand", "randn", "zeros", "ones", "empty", "linspace", "arange", "eye", "full"])
def test_factories_write_out_and_name_themselves_in_errors(fn):
    args = {"linspace": (0, 1, 5), "arange": (5,), "eye": (3,), "full": ((2, 3), 1.5)}.get(fn, (2, 3))
    results = []
    for lib in (torch, dxdy):
        o = lib.zeros(7)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (both warn that out was resized)
            r = getattr(lib, fn)(*args, out=o)
        row = [r is o, tuple(o.shape), str(o.dtype).split(".")[-1]]
        for bad in (5, "x"):
            try:
                getattr(lib, fn)(*args, out=bad)
                row.append(None)
            except Exception as e:  # noqa: BLE001 (the error is what is compared)
                row.append(type(e).__name__)
                if lib is dxdy and isinstance(e, TypeError):  # (PyTorch's text differs from overload to overload)
                    assert str(e).startswith(f"{fn}("), str(e)
        results.append(row)
    assert results[0] == results[1]


def _select_general(x, i):
    # The key as a tuple: the plain-key path of getitem, which calls the view op (its keyword call).
    return x[(i,)]


@pytest.mark.parametrize("grad_mode", [True, False])
def test_x_of_an_int_without_a_graph_is_the_view_ops(grad_mode):
    for shape in [(4,), (3, 2), (2, 1, 3)]:
        base = dxdy.tensor(RNG.standard_normal(shape).astype(np.float32))
        for i in range(-shape[0], shape[0]):
            with dxdy.set_grad_enabled(grad_mode):
                lean, general = base[i], _select_general(base, i)
            assert lean.dtype == general.dtype and lean.shape == general.shape and not lean.requires_grad
            assert lean.numpy().tobytes() == general.numpy().tobytes()
            assert np.shares_memory(lean._data, base._data) and lean._vc is base._vc is general._vc
            extras = [{name: getattr(t._extra, name) for name in type(t._extra).__slots__} for t in (lean, general)]
            assert extras[0] == extras[1] and extras[0]["view_of"][0] is base  # (how it was made: the same)
            assert extras[0]["no_grad_view"] is (not grad_mode)
        lean = base[1]
        before = base._version
        lean.add_(1)  # a write through the view is the base's
        assert base._version == before + 1 and lean.numpy().tobytes() == base[1].numpy().tobytes()


def test_x_of_an_int_with_a_graph_records_select():
    x = dxdy.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[1]
    assert y.grad_fn.name() == "SelectBackward0"
    y.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    with dxdy.no_grad():
        assert x[1].grad_fn is None and x[-1].item() == 3.0
    assert index_ops._select.node.__name__ == "SelectBackward0"


@pytest.mark.parametrize("name", ["dot", "vdot"])
def test_dot_without_a_graph_is_the_recorded_forwards(name):
    for dtype in ["float32", "float64", "float16", "int64", "int32", "uint8"]:
        a, b = (RNG.integers(-3, 4, 5) if "int" in dtype else RNG.standard_normal(5) for _ in range(2))
        x, y = (dxdy.tensor(v.astype(dtype)) for v in (a, b))
        lean = getattr(dxdy, name)(x, y)
        with dxdy.enable_grad():
            general = getattr(dxdy.ops.linalg, "_" + name)(x, y)  # the op itself (apply)
        want = getattr(torch, name)(torch.tensor(a.astype(dtype)), torch.tensor(b.astype(dtype)))
        assert lean.dtype == general.dtype and lean.numpy().tobytes() == general.numpy().tobytes()
        assert str(lean.dtype).split(".")[-1] == str(want.dtype).split(".")[-1] and lean.shape == want.shape
        if dtype.startswith("float"):
            x.requires_grad_(True)
            assert getattr(dxdy, name)(x, y).grad_fn.name() == ("DotBackward0" if name == "dot" else "VdotBackward0")


def _outcome(fn):
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 (the error is what is compared)
        return type(e).__name__, str(e)
    return r.tolist(), str(r.dtype).split(".")[-1], tuple(r.shape)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_by_the_arrays_method_is_pytorchs(name):
    data = RNG.standard_normal((3, 4)).astype(np.float32)
    data[1, 2] = np.nan
    for shape in [(3, 4), (12,), (2, 6), ()]:
        a = data.reshape(-1)[:int(np.prod(shape))].reshape(shape) if shape else data[0, 0].reshape(())
        a = np.round(a, 0)  # (ties: the first index, in both)
        for dim in [None, 0, -1, 1]:
            for keepdim in [False, True]:
                outcomes = [_outcome(lambda: getattr(lib, name)(lib.tensor(a), dim=dim, keepdim=keepdim))
                            for lib in (torch, dxdy)]
                assert outcomes[0] == outcomes[1], (shape, dim, keepdim)
    for lib_out in (5, "x"):
        outcomes = [_outcome(lambda: getattr(lib, name)(lib.tensor(data), dim=1, out=lib_out)) for lib in (torch, dxdy)]
        assert outcomes[0] == outcomes[1]


def test_integer_aranges_near_int64s_bounds_are_pytorchs():
    for args in [(5,), (-3, 4), (2 ** 63 - 3, 2 ** 63 - 1), (-2 ** 63, -2 ** 63 + 5, 2), (2 ** 63,), (0, 2 ** 63),
                 (0, 5, 2 ** 63), (10, 0, -3), (True, 4), (0, 300, 7)]:
        for dtype in [None] if max(args) >= 2 ** 63 else [None, "int8", "uint8", "int32"]:
            # (past int64 in a narrower dtype PyTorch refuses the size, dxdy makes no elements: left as it was)
            outcomes = [_outcome(lambda: lib.arange(*args, dtype=getattr(lib, dtype) if dtype else None))
                        for lib in (torch, dxdy)]
            assert outcomes[0] == outcomes[1], (args, dtype)

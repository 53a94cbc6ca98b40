"""Tensor printing, checked character for character against PyTorch's repr."""
import itertools
import math

import numpy as np
import pytest
import torch

import dxdy

FLOATS = ("float16", "float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8")
DTYPES = FLOATS + INTS + ("bool",)
SHAPES = [
    (), (0,), (1,), (5,), (13,), (30,), (0, 3), (3, 0), (2, 0, 4), (1, 0, 2, 2),
    (1, 1), (4, 6), (7, 3), (2, 3, 4), (3, 1, 2), (2, 2, 2, 3),
    # more than 1000 elements: summarized
    (1001,), (40, 30), (3, 400), (11, 10, 10), (2, 3, 13, 13), (8, 8, 8, 8),
]
CASES = list(itertools.product(SHAPES, DTYPES))


@pytest.fixture(autouse=True)
def restore_defaults():
    yield
    for lib in (dxdy, torch):
        lib.set_printoptions(profile="default")
        lib.set_default_dtype(lib.float32)


def random_array(seed, shape, dtype):
    """Values of one of several kinds: any integers, bools, or floats of magnitudes in [1e-10, 1e10]."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in INTS:
        info = np.iinfo(dtype)
        hi = min(int(info.max), 10 ** int(rng.integers(1, 13)))
        lo = max(int(info.min), -hi)
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)
    lo = rng.uniform(-10, 10)
    hi = min(10.0, lo + rng.choice([0.5, 2.9, 20.0]))
    x = 10 ** rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)
    kind = rng.integers(4)
    if kind == 1:  # whole numbers (and zeros of both signs)
        x = np.round(x)
    elif kind == 2:
        mask = rng.random(shape) < 0.3
        x = np.where(mask, rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], shape), x)
    with np.errstate(over="ignore"):  # large values become inf in float16, as they should
        return np.asarray(x).astype(dtype)


def both(array, requires_grad=False):
    return (dxdy.tensor(array.copy(), requires_grad=requires_grad),
            torch.tensor(array.copy(), requires_grad=requires_grad))


def expected(t):
    return repr(t).replace("torch.", "dxdy.")


def check(x, x_torch):
    assert repr(x) == expected(x_torch)
    assert str(x) == str(x_torch).replace("torch.", "dxdy.")


def set_both(**options):
    dxdy.set_printoptions(**options)
    torch.set_printoptions(**options)


# -- values, shapes and dtypes ----------------------------------------------------------


@pytest.mark.parametrize("shape, dtype", CASES, ids=[f"{s}-{d}" for s, d in CASES])
def test_random_tensors(shape, dtype):
    for seed in range(3):
        check(*both(random_array(seed, shape, dtype)))


@pytest.mark.parametrize("array", [
    np.array([6., 2., 4., 10.]), np.array([-0., 0., 1.]), np.array([-0., 1.5]), np.zeros((2, 2)),
    np.array([np.nan, np.inf, -np.inf]), np.array([np.nan]), np.array(-0.), np.array(np.inf),
    np.array([1e-4, 1.]), np.array([1e-4, 5e-4]), np.array([9.9e-5, 1.]), np.array([1., 1000.]), np.array([1., 1000.5]),
    np.array([1e8, 1.]), np.array([1e8, 5e7]), np.array([1.1e8, 5e7]), np.array([1.0000001e8, 2e8]), np.array([0.1, 123456.7]),
    np.array([1e308, 5e-324]), np.array([np.nan, 1e-10, 1.]), np.array([123456789., 1.]),
    np.array([0.5, 1e-5, np.inf]), np.array([99999.5, 1.]), np.array([[1.25, -3.5], [7., 2.]]),
    np.array([1e10, -1e10]), np.array([3.0, np.nan, -np.inf, -0.0]), np.array([65504., 1.], np.float16),
    np.array([6e-8, 1.], np.float16), np.array([0.1, 0.2], np.float32), np.array([True, False]),
    np.array([-128, 127], np.int8), np.array([255, 0], np.uint8), np.array([2**62, -3], np.int64),
], ids=repr)
def test_chosen_values(array):
    check(*both(array))


def test_huge_tensor_is_summarized_before_formatting():
    # 10^12 elements: formatting them all could not finish
    x = dxdy.from_numpy(np.broadcast_to(np.float32(2.5), (10**6, 10**6)))
    assert repr(x) == expected(torch.tensor(2.5).expand(10**6, 10**6))


# -- autograd suffixes -----------------------------------------------------------------------


GRAD_CASES = [(s, d) for s, d in CASES if d in FLOATS]


@pytest.mark.parametrize("shape, dtype", GRAD_CASES, ids=[f"{s}-{d}" for s, d in GRAD_CASES])
def test_requires_grad_and_grad_fn(shape, dtype):
    array = random_array(7, shape, dtype)
    x, x_torch = both(array, requires_grad=True)
    check(x, x_torch)
    check(x * 2, x_torch * 2)
    check(x.sum(), x_torch.sum())
    small, small_torch = both(np.clip(array, -3, 3).astype(dtype), requires_grad=True)
    check(small.exp(), small_torch.exp())


def test_suffixes_wrap_at_every_linewidth():
    x, x_torch = both(np.array([[1.5, 2.25, 3.125], [4., 5., 6.]], np.float64), requires_grad=True)
    for linewidth in range(1, 90):
        set_both(linewidth=linewidth)
        check(x, x_torch)
        check(x * 2, x_torch * 2)


@pytest.mark.parametrize("n", range(1, 40))
def test_long_rows_wrap(n):
    x, x_torch = both(np.arange(n, dtype=np.float16) * 1.5 - 7, requires_grad=True)
    check(x, x_torch)
    check(x * 2, x_torch * 2)
    i, i_torch = both(np.arange(n, dtype=np.int32) ** 5)
    check(i, i_torch)


def test_parameter():
    p, p_torch = dxdy.nn.Parameter(dxdy.tensor([1., 2.])), torch.nn.Parameter(torch.tensor([1., 2.]))
    assert repr(p) == expected(p_torch) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    frozen = dxdy.nn.Parameter(dxdy.tensor([1, 2]), requires_grad=False)
    assert repr(frozen) == expected(torch.nn.Parameter(torch.tensor([1, 2]), requires_grad=False))
    empty = dxdy.nn.Parameter(dxdy.tensor(np.zeros((0, 3), np.float64)))
    assert repr(empty) == expected(torch.nn.Parameter(torch.zeros(0, 3, dtype=torch.float64)))


def test_parameter_subclass_names_itself():
    class Weight(dxdy.nn.Parameter):
        pass

    class TorchWeight(torch.nn.Parameter):
        pass

    w, w_torch = Weight(dxdy.tensor([1., 2.])), TorchWeight(torch.tensor([1., 2.]))
    assert repr(w) == expected(w_torch).replace("TorchWeight", "Weight")


# -- print options ------------------------------------------------------------------------------


OPTIONS = [
    {"precision": 0}, {"precision": 1}, {"precision": 2}, {"precision": 8}, {"precision": 12},
    {"threshold": 0}, {"threshold": 5}, {"threshold": 100}, {"threshold": math.inf},
    {"edgeitems": 0}, {"edgeitems": 1}, {"edgeitems": 2}, {"edgeitems": 5},
    {"linewidth": 10}, {"linewidth": 40}, {"linewidth": 120}, {"linewidth": 200},
    {"profile": "default"}, {"profile": "short"}, {"profile": "full"},
    {"profile": "short", "precision": 6, "linewidth": 50}, {"profile": "full", "edgeitems": 1},
    {"sci_mode": True}, {"sci_mode": False}, {"sci_mode": True, "precision": 2},
    {"threshold": 10, "edgeitems": 0, "linewidth": 30}, {"threshold": 20, "edgeitems": 1, "sci_mode": False},
]
OPTION_SHAPES = [(), (0,), (0, 2), (1,), (7,), (12,), (3, 8), (2, 3, 9), (2, 2, 3, 4), (40, 30)]


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_printoptions(options):
    set_both(**options)
    assert dxdy.get_printoptions() == torch._tensor_str.get_printoptions()
    for k, (shape, dtype) in enumerate(itertools.product(OPTION_SHAPES, ("float32", "float64", "int16", "bool"))):
        x, x_torch = both(random_array(k, shape, dtype), requires_grad=dtype in FLOATS)
        check(x, x_torch)


@pytest.mark.parametrize("sci_mode", [True, False])
def test_sci_mode_needs_a_nonzero_finite_float(sci_mode):
    set_both(sci_mode=sci_mode)
    for array in (np.zeros(3), np.array([np.nan, -np.inf, 0.]), np.array([np.nan, 2.]), np.array([1e-9, 1e9]),
                  np.array([7, 12345])):
        check(*both(array))


def test_set_printoptions_resets_sci_mode_only():
    set_both(precision=6, sci_mode=True)
    set_both(linewidth=60)
    assert dxdy.get_printoptions() == torch._tensor_str.get_printoptions()
    assert dxdy.get_printoptions() == {"precision": 6, "threshold": 1000, "edgeitems": 3,
                                       "linewidth": 60, "sci_mode": None}


def test_get_printoptions_round_trips():
    set_both(profile="full", precision=3, sci_mode=False)
    options = dxdy.get_printoptions()
    dxdy.set_printoptions(profile="default")
    dxdy.set_printoptions(**options)
    assert dxdy.get_printoptions() == torch._tensor_str.get_printoptions()


# -- the default dtype ---------------------------------------------------------------------------


@pytest.mark.parametrize("default", ["float64", "float16"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_default_dtype(default, dtype):
    dxdy.set_default_dtype(getattr(dxdy, default))
    torch.set_default_dtype(getattr(torch, default))
    for shape in ((), (0,), (2, 0), (5,), (2, 3)):
        check(*both(random_array(3, shape, dtype), requires_grad=dtype in FLOATS))
    check(dxdy.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0]))

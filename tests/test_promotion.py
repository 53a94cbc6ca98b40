"""PyTorch's type promotion for binary ops, checked against PyTorch itself.

Every pair of dxdy dtypes, tensors with Python (and NumPy) scalars, 0-d tensors
with n-d tensors, and the default dtype set to float64: the result dtype and the
values must be PyTorch's, and where PyTorch refuses (bool subtraction, a non-bool
condition of where, integer division by zero) dxdy must refuse with the same
exception type and message. The last tests hold the other refusals of the
element-wise and reduction ops: bad dtypes, bad dims, backward through an op
PyTorch does not differentiate.
"""
import numpy as np
import pytest
import torch

import dxdy

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]

# The ops under test, called the same way in both libraries (`lib` is torch or dxdy).
OPS = {
    "add": lambda lib, x, y: lib.add(x, y) if _any_tensor_first(lib, x) else x + y,
    "sub": lambda lib, x, y: x - y,
    "mul": lambda lib, x, y: x * y,
    "div": lambda lib, x, y: x / y,
    "eq": lambda lib, x, y: x == y,
    "lt": lambda lib, x, y: x < y,
    "ge": lambda lib, x, y: x >= y,
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "minimum": lambda lib, x, y: lib.minimum(x, y),
    "where": lambda lib, x, y: lib.where(_mask(lib, x, y), x, y),
    "atan2": lambda lib, x, y: lib.atan2(x, y),
    "remainder": lambda lib, x, y: lib.remainder(x, y),
    "floor_divide": lambda lib, x, y: lib.floor_divide(x, y),
    "pow": lambda lib, x, y: lib.pow(x, y),
}
# Ops that PyTorch defines for a Python scalar on either side.
SCALAR_OPS = ["add", "sub", "mul", "div", "eq", "lt", "ge", "where", "remainder", "pow"]


def _any_tensor_first(lib, x):
    return isinstance(x, (torch.Tensor, dxdy.Tensor))


def _mask(lib, x, y):
    shapes = [tuple(v.shape) for v in (x, y) if isinstance(v, (torch.Tensor, dxdy.Tensor))]
    shape = np.broadcast_shapes(*shapes)
    m = (np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0)
    return lib.tensor(m)


def _values(dtype, shape, offset=0):
    # Small positive values, exact in every dtype (and nonzero, for division).
    n = int(np.prod(shape))
    a = (np.arange(n) + offset) % 3 + 1
    if dtype == "bool":
        return (a % 2 == 1).reshape(shape)
    return a.reshape(shape).astype(dtype)


def _tensor(lib, dtype, shape, offset=0):
    return lib.tensor(_values(dtype, shape, offset))


def _run(lib, op, x, y):
    try:
        return OPS[op](lib, x, y), None
    except Exception as e:  # the exception is part of the behaviour compared
        return None, e


def assert_like_torch(op, tx, ty, dx, dy):
    """The op on (dx, dy) in dxdy gives what it gives on (tx, ty) in PyTorch: dtype, values, or the error."""
    t, t_err = _run(torch, op, tx, ty)
    d, d_err = _run(dxdy, op, dx, dy)
    if t_err is not None:
        assert d_err is not None, f"PyTorch raised {type(t_err).__name__}: {t_err}; dxdy returned {d!r}"
        assert type(d_err).__name__ == type(t_err).__name__, f"{type(d_err).__name__}: {d_err} vs " \
                                                            f"{type(t_err).__name__}: {t_err}"
        assert str(d_err) == str(t_err)
        return
    assert d_err is None, f"dxdy raised {type(d_err).__name__}: {d_err}; PyTorch returned {t!r}"
    assert str(d.dtype).replace("dxdy.", "") == str(t.dtype).replace("torch.", ""), f"{d.dtype} vs {t.dtype}"
    assert tuple(d.shape) == tuple(t.shape)
    expected = t.numpy().astype(np.float64) if t.dtype != torch.bool else t.numpy()
    rtol = 1e-3 if t.dtype in (torch.float16,) else 1e-6
    np.testing.assert_allclose(np.asarray(d._data, dtype=expected.dtype), expected, rtol=rtol, equal_nan=True)


SHAPES = [((2, 3), (3,)), ((), (2, 3)), ((2, 3), ()), ((), ())]


@pytest.mark.parametrize("b", DTYPES)
@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("op", list(OPS))
def test_tensor_with_tensor(op, a, b):
    # n-d with n-d, and 0-d tensors on either side (a 0-d tensor does not lift an n-d one's dtype
    # within the same category, but a higher category does).
    for sa, sb in SHAPES:
        assert_like_torch(op, _tensor(torch, a, sa), _tensor(torch, b, sb, 1),
                          _tensor(dxdy, a, sa), _tensor(dxdy, b, sb, 1))


SCALARS = [3, 2.5, True, False, 0, -1]


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("op", SCALAR_OPS)
def test_tensor_with_python_scalar(op, a):
    for s in SCALARS:
        if op in ("div", "remainder") and not s:
            continue  # dividing by zero is tested elsewhere
        for shape in ((2, 3), ()):
            assert_like_torch(op, _tensor(torch, a, shape), s, _tensor(dxdy, a, shape), s)
            if op not in ("div", "remainder") or a != "bool":
                assert_like_torch(op, s, _tensor(torch, a, shape), s, _tensor(dxdy, a, shape))


@pytest.mark.parametrize("a", DTYPES)
def test_numpy_scalars_count_as_python_numbers(a):
    # PyTorch takes a NumPy scalar as the Python number it holds: np.float64 does not lift a float32 tensor.
    for s in (np.float64(2.5), np.float32(1.5), np.int64(3), np.int8(2)):
        for op in ("add", "mul", "lt", "where", "pow"):
            assert_like_torch(op, _tensor(torch, a, (2, 3)), s, _tensor(dxdy, a, (2, 3)), s)
    assert_like_torch("mul", np.float64(2.5), _tensor(torch, a, (3,)), np.float64(2.5), _tensor(dxdy, a, (3,)))


def test_can_cast():
    for a in DTYPES:
        for b in DTYPES:
            assert dxdy.can_cast(getattr(dxdy, a), getattr(dxdy, b)) == torch.can_cast(getattr(torch, a),
                                                                                      getattr(torch, b)), (a, b)


def test_python_scalars_only_with_where():
    for x, y in [(1.0, 0), (1, 0), (True, 2), (True, False), (2.5, 1.5)]:
        t = torch.where(torch.tensor([True, False]), x, y)
        d = dxdy.where(dxdy.tensor([True, False]), x, y)
        assert str(d.dtype).replace("dxdy.", "") == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(d.numpy(), t.numpy())


@pytest.fixture
def default_float64():
    torch.set_default_dtype(torch.float64)
    dxdy.set_default_dtype(dxdy.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(torch.float32)
        dxdy.set_default_dtype(dxdy.float32)


@pytest.mark.parametrize("op", ["add", "mul", "div", "where", "atan2", "pow"])
def test_default_dtype_float64(default_float64, op):
    assert dxdy.get_default_dtype() is dxdy.float64
    for a in DTYPES:
        for s in (2.5, 3, True):
            assert_like_torch(op, _tensor(torch, a, (2, 3)), s, _tensor(dxdy, a, (2, 3)), s)
        for b in ("int64", "bool", "float32", "float16"):
            assert_like_torch(op, _tensor(torch, a, (2, 3)), _tensor(torch, b, ()),
                              _tensor(dxdy, a, (2, 3)), _tensor(dxdy, b, ()))
    # Tensors made from Python floats take the default dtype too, and so do math functions of ints.
    assert dxdy.tensor([1.5]).dtype is dxdy.float64
    assert dxdy.exp(dxdy.tensor([1, 2])).dtype is dxdy.float64
    assert dxdy.sqrt(dxdy.tensor([True])).dtype is dxdy.float64


def test_default_dtype_is_restored():
    assert dxdy.get_default_dtype() is dxdy.float32
    assert (dxdy.tensor([1, 2]) / 2).dtype is dxdy.float32


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_result_type_and_promote_types(a, b):
    ta, tb = getattr(torch, a), getattr(torch, b)
    da, db = getattr(dxdy, a), getattr(dxdy, b)
    assert repr(dxdy.promote_types(da, db)).replace("dxdy.", "") == \
        repr(torch.promote_types(ta, tb)).replace("torch.", "")
    for sa, sb in SHAPES:
        t = torch.result_type(_tensor(torch, a, sa), _tensor(torch, b, sb))
        d = dxdy.result_type(_tensor(dxdy, a, sa), _tensor(dxdy, b, sb))
        assert repr(d).replace("dxdy.", "") == repr(t).replace("torch.", "")
    for s in (3, 2.5, True):
        t = torch.result_type(_tensor(torch, a, (2,)), s)
        d = dxdy.result_type(_tensor(dxdy, a, (2,)), s)
        assert repr(d).replace("dxdy.", "") == repr(t).replace("torch.", "")


# -- results that wrap around or do not fit ------------------------------------------------------
@pytest.mark.parametrize("a", ["int8", "uint8", "int16", "int32"])
def test_python_int_out_of_range_wraps_as_in_torch(a):
    for s in (1000, -1, 300):
        for op in ("add", "mul", "sub"):
            assert_like_torch(op, _tensor(torch, a, (3,)), s, _tensor(dxdy, a, (3,)), s)


def test_gradient_of_promoted_operand_has_its_own_dtype():
    for ta, tb, da, db in [(torch.float32, torch.float64, dxdy.float32, dxdy.float64),
                           (torch.float16, torch.float32, dxdy.float16, dxdy.float32)]:
        tx = torch.tensor([1.0, 2.0], dtype=ta, requires_grad=True)
        ty = torch.tensor(3.0, dtype=tb, requires_grad=True)
        dx = dxdy.tensor([1.0, 2.0], dtype=da, requires_grad=True)
        dy = dxdy.tensor(3.0, dtype=db, requires_grad=True)
        (tx * ty).sum().backward()
        (dx * dy).sum().backward()
        for d, t in ((dx, tx), (dy, ty)):
            assert str(d.grad.dtype).replace("dxdy.", "") == str(t.grad.dtype).replace("torch.", "")
            np.testing.assert_allclose(d.grad.numpy().astype(float), t.grad.numpy().astype(float))


# -- refusals ----------------------------------------------------------------------------------------
def _same_error(f):
    with pytest.raises(Exception) as t_err:
        f(torch)
    with pytest.raises(Exception) as d_err:
        f(dxdy)
    assert d_err.type.__name__ == t_err.type.__name__, f"{d_err.value!r} vs {t_err.value!r}"
    assert str(d_err.value) == str(t_err.value)


@pytest.mark.parametrize("f", [
    lambda lib: lib.tensor([True]) - lib.tensor([False]),
    lambda lib: lib.tensor([True]) - True,
    lambda lib: -lib.tensor([True]),
    lambda lib: lib.where(lib.tensor([1, 0]), lib.tensor([1.0, 2.0]), 0.0),
    lambda lib: lib.where(lib.tensor([1.0, 0.0]), lib.tensor([1.0, 2.0]), 0.0),
    lambda lib: lib.ones(2, 3) * lib.ones(4),
    lambda lib: lib.add(lib.ones(2, 3), lib.ones(2, 1, 2)),
    lambda lib: lib.tensor([1, 2]) ** -1,
    lambda lib: lib.bitwise_and(lib.ones(2), lib.ones(2)),
    lambda lib: lib.floor_divide(lib.tensor([1, 2]), lib.tensor([0, 1])),
    lambda lib: lib.remainder(lib.tensor([1, 2]), 0),
    lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])),
    lambda lib: lib.add(lib.ones(2), None),
], ids=["bool-sub", "bool-sub-scalar", "bool-neg", "where-int-cond", "where-float-cond", "broadcast", "broadcast-add",
        "int-neg-pow", "bitwise-float", "int-floordiv-zero", "int-remainder-zero", "isclose-dtypes",
        "add-none"])
def test_refusals_match_torch(f):
    _same_error(f)


def _leaf(lib, *values):
    return lib.tensor(list(values) or [1.5, -2.0], requires_grad=True)


# Inputs an op refuses, by dtype or by argument: PyTorch's exception type and message.
@pytest.mark.parametrize("f", [
    lambda lib: lib.relu(lib.tensor([True])),
    lambda lib: lib.abs(lib.tensor([True])),
    lambda lib: lib.floor(lib.tensor([True])),
    lambda lib: lib.frac(lib.tensor([1, 2])),
    lambda lib: lib.lerp(lib.tensor([1, 2]), lib.tensor([1, 2]), 0.5),
    lambda lib: lib.lerp(lib.ones(2), lib.ones(2, dtype=lib.float64), 0.5),
    lambda lib: lib.lerp(lib.ones(2), 2.0, 0.5),
    lambda lib: lib.div(lib.tensor([True]), lib.tensor([True]), rounding_mode="trunc"),
    lambda lib: lib.div(lib.ones(2), 2, rounding_mode="round"),
    lambda lib: lib.fmod(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.pow(lib.tensor([True]), lib.tensor([True])),
    lambda lib: lib.add(lib.tensor([1, 2]), lib.tensor([1, 2]), alpha=0.5),
    lambda lib: lib.sub(lib.ones(2), lib.ones(2), alpha=True),
    lambda lib: lib.atan2(lib.ones(2), 2.0),
    lambda lib: lib.fmax(lib.ones(2), 2.0),
    lambda lib: lib.logical_and(lib.ones(2), True),
    lambda lib: lib.isclose(lib.ones(2), 1.0),
    lambda lib: lib.allclose(lib.ones(2), lib.tensor([1, 1])),
    lambda lib: lib.clamp(lib.ones(2)),
    lambda lib: lib.argmax(lib.tensor([True, False])),
    lambda lib: lib.argmax(lib.ones(0, 3)),
    lambda lib: lib.max(lib.ones(0, 3)),
    lambda lib: lib.max(lib.ones(0, 3), 0),
    lambda lib: lib.amax(lib.ones(0, 3), 0),
    lambda lib: lib.mean(lib.tensor([1, 2])),
    lambda lib: lib.var(lib.tensor([1, 2])),
    lambda lib: lib.norm(lib.tensor([1, 2])),
    lambda lib: lib.sum(lib.ones(2, 3), (0, 0)),
    lambda lib: lib.sum(lib.ones(2, 3), 2),
    lambda lib: lib.cumsum(lib.ones(2, 3), -3),
    lambda lib: lib.max(lib.ones(2, 3), 2),
    lambda lib: lib.logsumexp(lib.ones(2, 3), 5),
    lambda lib: lib.where(True),
    lambda lib: (_leaf(lib) // 2).sum().backward(),
    lambda lib: lib.remainder(2.0, _leaf(lib)).sum().backward(),
], ids=["relu-bool", "abs-bool", "floor-bool", "frac-int", "lerp-int", "lerp-dtypes", "lerp-number-end",
        "div-trunc-bool", "div-rounding-mode", "fmod-bool", "pow-bool", "add-int-float-alpha", "sub-bool-alpha",
        "atan2-number", "fmax-number", "logical-and-number", "isclose-number", "allclose-dtypes", "clamp-no-bounds",
        "argmax-bool", "argmax-empty", "max-empty", "max-empty-dim", "amax-empty-dim", "mean-int", "var-int",
        "norm-int", "sum-repeated-dim", "sum-dim-range", "cumsum-dim-range", "max-dim-range", "logsumexp-dim-range",
        "where-number-cond", "floor-divide-backward", "number-remainder-backward"])
def test_op_refusals_match_torch(f):
    _same_error(f)

"""NumPy's exceptions never reach the user: every public function given wrong arguments raises PyTorch's error.

Each op of the op table (tests/op_db*.py) is called, from its first samples, with arguments made wrong in
every way a user gets them wrong: a dim out of range, a size or count out of range, a tensor of another shape
(one that does not broadcast or fit, 0-d, empty, with a dim more or fewer), of an integer, bool or float16
dtype, indices out of range, a number where a tensor goes, NaN or negative values. The public functions
that are not ops (creation and random numbers) get a table of wrong calls of their own. Each call runs in
PyTorch and in dxdy, and:

- where PyTorch raises, dxdy raises an exception of the same built-in type;
- where dxdy raises, PyTorch raises too (dxdy makes no error of its own);
- dxdy's exception is raised by a `raise` of dxdy's, never by NumPy or by Python inside dxdy
  (error_origin.leak: NumPy's AxisError, its ValueError about shapes, `tuple index out of range`, ...).

Differences kept on purpose, or not fixed yet, are listed in KNOWN by op and kind of wrong argument, each
with its reason; the test checks that each still differs, so that the list shrinks as they are fixed.
"""
import warnings

import numpy as np
import pytest
import torch

import dxdy
from error_origin import builtin_type, leak
from op_db import OP_DB
from op_info import Maker, NoGrad, map_arrays
from wrong_arguments import KNOWN, wrong_calls

SAMPLES_PER_OP = 2


def _tensors(lib, value):
    return map_arrays(value, lambda a: lib.tensor(np.array(a.array if isinstance(a, NoGrad) else a)))


def _resolve(lib, path):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def run(lib, fn):
    """(result, None) or (None, exception) of fn(lib), warnings silenced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(lib), None
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return None, e


def difference(t_error, d_error):
    """What is wrong with dxdy's outcome against PyTorch's, or None. A leak of NumPy's (or Python's) exception
    is always wrong, whatever PyTorch raised; PyTorch's own AttributeErrors come from its Python code."""
    if d_error is not None and leak(d_error) and not (t_error is not None and isinstance(t_error, AttributeError)):
        return f"LEAK {leak(d_error)}: {str(d_error)[:120]} (PyTorch: {str(t_error)[:120] if t_error else 'no error'})"
    if t_error is None and d_error is None:
        return None
    if t_error is None:
        return f"dxdy raised {type(d_error).__name__} ({str(d_error)[:120]}) where PyTorch did not"
    if d_error is None:
        return f"PyTorch raised {type(t_error).__name__} ({str(t_error)[:120]}), dxdy did not"
    if builtin_type(d_error) is not builtin_type(t_error):
        return (f"dxdy raised {type(d_error).__name__} ({str(d_error)[:120]}) where PyTorch raised "
                f"{type(t_error).__name__} ({str(t_error)[:120]})")
    return None


def _op_cases():
    """{op name: [(OpInfo, samples)]}: the first samples of each row of the op table (all of them for the ops
    in KNOWN, whose every entry must still differ somewhere)."""
    cases = {}
    for info in OP_DB:
        dtype = info.dtypes[0]
        samples = info.samples(Maker(np.random.default_rng(0), dtype, info.domain), dtype)
        if info.sample_filter is not None:
            samples = [s for s in samples if info.sample_filter(s, dtype)]
        known = any(op == info.name for op, _ in KNOWN)
        cases.setdefault(info.name, []).append((info, samples if known else samples[:SAMPLES_PER_OP]))
    return cases


OP_CASES = _op_cases()


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_wrong_arguments_raise_what_torch_raises(name):
    found, known_seen = [], set()
    for info, samples in OP_CASES[name]:
        for sample in samples:
            for kind, args, kwargs in wrong_calls(sample):
                def call(lib, info=info, args=args, kwargs=kwargs):
                    f = _resolve(lib, info.torch_path if lib is torch else info.name)
                    return f(*[_tensors(lib, a) for a in args], **{k: _tensors(lib, v) for k, v in kwargs.items()})
                problem = difference(run(torch, call)[1], run(dxdy, call)[1])
                if problem is None:
                    continue
                if (name, kind) in KNOWN and not problem.startswith("LEAK"):
                    known_seen.add(kind)
                else:
                    found.append(f"[{kind}] {sample.name or 'sample'}: {problem}")
    assert not found, f"{name}: {len(found)} wrong argument(s) handled unlike PyTorch:\n" + "\n".join(found[:8])
    stale = {kind for (op, kind) in KNOWN if op == name} - known_seen
    assert not stale, f"{name}: KNOWN lists {stale}, which now match PyTorch: remove them"


# -- the functions that are not ops -------------------------------------------------------------------------
F = lambda L: L.nn.functional  # noqa: E731
NOT_OPS = [
    # multinomial and bernoulli: sizes, dims, dtypes and probabilities
    ("multinomial-more-than-categories", lambda L: L.multinomial(L.tensor([1.0, 2, 3, 4]), 5)),
    ("multinomial-no-samples", lambda L: L.multinomial(L.tensor([1.0, 2]), 0)),
    ("multinomial-negative-samples", lambda L: L.multinomial(L.tensor([1.0, 2]), -1)),
    ("multinomial-0-d", lambda L: L.multinomial(L.tensor(1.0), 1)),
    ("multinomial-3-d", lambda L: L.multinomial(L.ones(2, 2, 2), 1)),
    ("multinomial-int", lambda L: L.multinomial(L.tensor([1, 2]), 1)),
    ("multinomial-negative", lambda L: L.multinomial(L.tensor([1.0, -2]), 1)),
    ("multinomial-nan", lambda L: L.multinomial(L.tensor([1.0, float("nan")]), 1)),
    ("multinomial-inf", lambda L: L.multinomial(L.tensor([1.0, float("inf")]), 1, True)),
    ("multinomial-zero-row", lambda L: L.multinomial(L.tensor([[1.0, 1], [0, 0]]), 1)),
    ("multinomial-no-categories", lambda L: L.multinomial(L.ones(2, 0), 1, True)),
    ("multinomial-float-count", lambda L: L.multinomial(L.ones(3), 1.5)),
    ("multinomial-list", lambda L: L.multinomial([1.0, 2.0], 1)),
    ("bernoulli-above-one", lambda L: L.bernoulli(L.tensor([0.5, 1.5]))),
    ("bernoulli-nan", lambda L: L.bernoulli(L.tensor([0.5, float("nan")]))),
    ("bernoulli-p", lambda L: L.bernoulli(L.tensor([0.5, 0.2]), -0.5)),
    ("bernoulli-int", lambda L: L.bernoulli(L.tensor([1, 0]))),
    ("bernoulli-list", lambda L: L.bernoulli([0.5])),
    # sizes: negative, past 64 bits, past memory
    ("zeros-negative", lambda L: L.ones(2, -3)),
    ("zeros-past-64-bits", lambda L: L.zeros(10 ** 20)),
    ("zeros-overflowing-bytes", lambda L: L.zeros(2 ** 31, 2 ** 31)),
    ("zeros-past-memory", lambda L: L.zeros(10 ** 15)),
    ("rand-past-memory", lambda L: L.rand(10 ** 15)),
    ("full-past-memory", lambda L: L.full((10 ** 15,), 1.0)),
    ("eye-past-memory", lambda L: L.eye(10 ** 8)),
    ("repeat-past-memory", lambda L: L.ones(2).repeat(10 ** 15)),
    ("repeat-overflowing-bytes", lambda L: L.ones(2).repeat(2 ** 40, 2 ** 40)),
    ("broadcast-past-memory", lambda L: L.ones(10 ** 8) * L.ones(10 ** 8, 1)),
    ("arange-past-64-bits", lambda L: L.arange(0, 1e19)),
    ("randperm-negative", lambda L: L.randperm(-1)),
    ("randperm-past-64-bits", lambda L: L.randperm(10 ** 20)),
    ("randperm-past-int8", lambda L: L.randperm(300, dtype=L.int8)),
    ("randperm-past-half", lambda L: L.randperm(3000, dtype=L.float16)),
    ("randperm-bool", lambda L: L.randperm(3, dtype=L.bool)),
    # fill values that do not fit the dtype
    ("full-int8", lambda L: L.full((2,), 300, dtype=L.int8)),
    ("full-uint8-float", lambda L: L.full((2,), -0.5, dtype=L.uint8)),
    ("full-nan-int", lambda L: L.full((2,), float("nan"), dtype=L.int32)),
    ("full-float32", lambda L: L.full((2,), 1e300)),
    ("full-half", lambda L: L.full((2,), 7e4, dtype=L.float16)),
    ("full-past-64-bits", lambda L: L.full((2,), 2 ** 64)),
    ("full_like-int64", lambda L: L.full_like(L.ones(2).long(), 1e40)),
    ("fill_-int16", lambda L: L.zeros(2, dtype=L.int16).fill_(2 ** 20)),
    ("scalar_tensor-int8", lambda L: L.scalar_tensor(300, dtype=L.int8)),
    # randint's bounds, normal's arguments
    ("randint-past-64-bits", lambda L: L.randint(0, 2 ** 70, (2,))),
    ("randint-below-uint8", lambda L: L.randint(-1, 5, (2,), dtype=L.uint8)),
    ("randint-past-int16", lambda L: L.randint(0, 2 ** 16, (2,), dtype=L.int16)),
    ("randint-past-bool", lambda L: L.randint(0, 3, (2,), dtype=L.bool)),
    ("normal-shapes", lambda L: L.normal(L.ones(2), L.ones(3))),
    ("normal-tensors-and-size", lambda L: L.normal(L.ones(2), 1.0, (3,))),
    ("normal-no-size", lambda L: L.normal(1.0, 1.0)),
    ("normal-int", lambda L: L.normal(1.0, L.ones(2).long())),
    ("broadcast_shapes", lambda L: L.broadcast_shapes((2, 3), (1, 4, 1))),
    ("broadcast_shapes-negative", lambda L: L.broadcast_shapes((2, 1), -4)),
    ("broadcast_tensors-number", lambda L: L.broadcast_tensors(L.ones(2, 3), 3)),
]


@pytest.mark.parametrize("call", [pytest.param(f, id=name) for name, f in NOT_OPS])
def test_functions_that_are_not_ops_raise_what_torch_raises(call):
    t_error, d_error = run(torch, call)[1], run(dxdy, call)[1]
    assert t_error is not None, "each call of NOT_OPS is one PyTorch refuses"
    assert difference(t_error, d_error) is None, difference(t_error, d_error)
    assert str(d_error).splitlines()[0] == str(t_error).splitlines()[0].replace("torch.", "dxdy."), \
        f"message {str(d_error).splitlines()[0]!r}, PyTorch's {str(t_error).splitlines()[0]!r}"


def test_the_check_can_fail():
    """An AxisError, a ValueError from NumPy, an IndexError from a tuple are leaks; dxdy's own raise is not."""
    def numpy_axis(lib):
        return np.sum(np.ones(2), axis=3)
    def python_index(lib):
        return ()[0]
    assert leak(run(None, numpy_axis)[1]).startswith("NumPy's AxisError")
    assert leak(run(None, python_index)[1]) is None  # raised in this file, not in dxdy
    inside = run(dxdy, lambda L: L.ones(2).sum(dim=5))[1]
    assert isinstance(inside, IndexError) and leak(inside) is None
    assert difference(ValueError("x"), inside) is not None

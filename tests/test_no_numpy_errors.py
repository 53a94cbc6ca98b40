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

SAMPLES_PER_OP = 2
DIM_NAMES = {"dim", "dims", "axis", "dim0", "dim1", "start_dim", "end_dim", "source", "destination"}


# -- wrong arguments from a valid sample ------------------------------------------------------------------
def _array(a):
    return a.array if isinstance(a, NoGrad) else a


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _replace(args, i, new):
    new = np.asarray(new)  # (NumPy hands back scalars from some of the expressions below)
    return args[:i] + [NoGrad(new) if isinstance(args[i], NoGrad) else new] + args[i + 1:]


def wrong_calls(sample):
    """(kind, args, kwargs) for each wrong variant of `sample`; kind names what was made wrong."""
    args, kwargs = list(sample.args), dict(sample.kwargs)
    ndim = max([np.ndim(_array(a)) for a in args if isinstance(a, (np.ndarray, NoGrad))] + [0])
    for k, v in kwargs.items():
        if _is_int(v):
            for bad in ((ndim + 2, -ndim - 3) if k in DIM_NAMES else (-1, 1000)):
                yield ("dim" if k in DIM_NAMES else "int"), args, {**kwargs, k: bad}
        elif isinstance(v, (tuple, list)) and v and all(_is_int(e) for e in v):
            yield "dim", args, {**kwargs, k: type(v)([ndim + 2] + list(v[1:]))}
    for i, v in enumerate(args):
        if _is_int(v):
            for bad in (ndim + 2, -ndim - 3, -1, 1000):
                yield "int", args[:i] + [bad] + args[i + 1:], kwargs
        elif isinstance(v, (tuple, list)) and v and all(_is_int(e) for e in v):
            for bad in (ndim + 2, -ndim - 3):
                yield "int", args[:i] + [type(v)([bad] + list(v[1:]))] + args[i + 1:], kwargs
    arrays = [i for i, a in enumerate(args) if isinstance(a, (np.ndarray, NoGrad))]
    for i in arrays:
        a = _array(args[i])
        if a.dtype.kind == "f":
            finite = np.nan_to_num(a, posinf=9.0, neginf=-9.0)
            for d in ("int64", "bool", "float16"):
                yield "dtype", _replace(args, i, (np.round(finite) if d == "int64" else finite > 0 if d == "bool"
                                                  else a).astype(d)), kwargs
            if a.size:
                yield "values", _replace(args, i, np.full_like(a, np.nan)), kwargs
                yield "values", _replace(args, i, -np.abs(a) - 1), kwargs
        if a.dtype.kind in "iu":
            yield "index", _replace(args, i, a + 100), kwargs
            yield "index", _replace(args, i, a - 100), kwargs
            yield "dtype", _replace(args, i, a.astype(np.float32)), kwargs
        yield "shape", _replace(args, i, np.stack([a] * 5, -1) if a.ndim else np.ones(5, a.dtype)), kwargs
        if a.ndim:
            longer = np.concatenate([a, a, a[..., :1]], -1) if a.shape[-1] else np.ones(a.shape[:-1] + (3,), a.dtype)
            yield "shape", _replace(args, i, longer), kwargs
            yield "shape", _replace(args, i, a[0] if a.shape[0] else np.zeros(a.shape[1:], a.dtype)), kwargs
            yield "0-d", _replace(args, i, np.asarray(a.reshape(-1)[:1].reshape(()) if a.size else np.zeros((), a.dtype))), kwargs
        yield "empty", _replace(args, i, np.zeros((0,) + a.shape[1:] if a.ndim else (0,), a.dtype)), kwargs
        yield "empty", _replace(args, i, np.zeros((0,), a.dtype)), kwargs
    for i in arrays[1:]:
        yield "number", args[:i] + [3] + args[i + 1:], kwargs
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            yield "shape", args, {**kwargs, k: np.stack([v] * 5, -1) if v.ndim else np.ones(5, v.dtype)}
            if v.dtype.kind in "iu":
                yield "index", args, {**kwargs, k: v + 100}


def _tensors(lib, value):
    return map_arrays(value, lambda a: lib.tensor(np.array(_array(a))))


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
        return f"LEAK {leak(d_error)}: {str(d_error)[:120]} (PyTorch: {str(t_error)[:120] or 'no error'})"
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


# -- what is not matched (yet) ---------------------------------------------------------------------------------
# (op, kind): why dxdy differs there. Each is in docs/decisions.md or the report of issue 9.
KNOWN = {
    # PyTorch reads outside the tensor (no check) for an index out of range along a dim; dxdy refuses it.
    ("take_along_dim", "index"): "PyTorch does not check the indices (undefined values)",
    # Not matched yet: these ops compute in (or only name the mismatch of) an integer, bool or float16 dtype
    # where PyTorch's kernel has no version for it (NotImplementedError, "result type Float can't be cast",
    # "expected scalar type", "mixed dtype"). dxdy gives a result, or an error of another type, there.
    ("bmm", "dtype"): "dtype support of PyTorch's kernel",
    ("cdist", "dtype"): "dtype support of PyTorch's kernel",
    ("cross", "dtype"): "dtype support of PyTorch's kernel",
    ("einsum", "dtype"): "dtype support of PyTorch's kernel",
    ("linalg.cross", "dtype"): "dtype support of PyTorch's kernel",
    ("linalg.matmul", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.alpha_dropout", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.avg_pool2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.batch_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.bilinear", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.conv1d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.conv2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.dropout", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.dropout1d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.dropout2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.gaussian_nll_loss", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.group_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.hinge_embedding_loss", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.huber_loss", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.instance_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.kl_div", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.layer_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.max_pool2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.prelu", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.soft_margin_loss", "dtype"): "dtype support of PyTorch's kernel",
}


def _op_cases():
    cases = {}
    for info in OP_DB:
        if info.name in cases:
            continue
        dtype = info.dtypes[0]
        samples = info.samples(Maker(np.random.default_rng(0), dtype, info.domain), dtype)
        if info.sample_filter is not None:
            samples = [s for s in samples if info.sample_filter(s, dtype)]
        cases[info.name] = (info, samples[:SAMPLES_PER_OP])
    return cases


OP_CASES = _op_cases()


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_wrong_arguments_raise_what_torch_raises(name):
    info, samples = OP_CASES[name]
    found, known_seen = [], set()
    for sample in samples:
        for kind, args, kwargs in wrong_calls(sample):
            def call(lib, args=args, kwargs=kwargs):
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

"""Every op in the op table, checked against PyTorch and against finite differences."""
import warnings

import numpy as np
import pytest
import torch

import dxdy
from op_db import OP_DB, NOT_OPS, Maker, ops_by_name
from op_info import NoGrad, map_arrays

SEED = 1234


def resolve(lib, path):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _cases():
    cases = []
    for info in OP_DB:
        for dtype in info.dtypes:
            rng = np.random.default_rng(SEED)
            for k, sample in enumerate(info.samples(Maker(rng, dtype, info.domain), dtype)):
                if info.sample_filter is not None and not info.sample_filter(sample, dtype):
                    continue
                cases.append(pytest.param(info, dtype, sample, id=f"{info.name}-{dtype}-{k}-{sample!r}"))
    return cases


CASES = _cases()
GRAD_CASES = [c for c in CASES if c.values[0].grad]
F64_GRAD_CASES = [c for c in GRAD_CASES if c.values[1] == "float64"]
F64_GRADGRAD_CASES = [c for c in F64_GRAD_CASES if c.values[0].gradgrad]


# -- converting samples ----------------------------------------------------------------------------
def _convert(lib, value, leaves, requires_grad):
    def tensor(a):
        grad = requires_grad and not isinstance(a, NoGrad)
        a = a.array if isinstance(a, NoGrad) else a
        t = lib.tensor(a.copy()) if lib is torch else dxdy.tensor(a.copy())
        if a.base is not None and a.ndim >= 2 and not a.flags.c_contiguous:
            t = t.permute(*reversed(range(a.ndim))).contiguous().permute(*reversed(range(a.ndim)))  # the layout too
            t = t.detach()
        if grad and a.dtype.kind == "f":
            t.requires_grad_(True)
            leaves.append(t)
        return t
    return map_arrays(value, tensor)


def call(lib, info, sample, requires_grad=True, method=False):
    leaves = []
    args = tuple(_convert(lib, a, leaves, requires_grad) for a in sample.args)
    kwargs = {k: _convert(lib, v, leaves, requires_grad) for k, v in sample.kwargs.items()}
    path = info.torch_path if lib is torch else info.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries' UserWarnings are compared in test_warnings.py
        if method:
            out = getattr(args[0], path.split(".")[-1])(*args[1:], **kwargs)
        else:
            out = resolve(lib, path)(*args, **kwargs)
    return out, leaves


def _tensors(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o)]
    return [out]


def _tol(info, dtype, grad=False):
    atol = info.grad_atol if grad and info.grad_atol is not None else info.atol
    if dtype == "float32" or dtype == "float16":
        return info.rtol * (10 if grad else 1), atol * (10 if grad else 1) + 1e-5
    return min(info.rtol, 1e-6), atol * 1e-3 + 1e-10


def assert_same(d, t, info, dtype, grad=False, what="output"):
    """dxdy's result `d` equals PyTorch's `t`: structure, dtype, shape and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(d, dxdy.Tensor), f"{what}: expected a Tensor, got {type(d).__name__}"
        assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy."), f"{what}: dtype {d.dtype} vs {t.dtype}"
        assert tuple(d.shape) == tuple(t.shape), f"{what}: shape {tuple(d.shape)} vs {tuple(t.shape)}"
        if info.nondeterministic:
            return
        rtol, atol = _tol(info, dtype, grad)
        np.testing.assert_allclose(np.asarray(d.detach()._data, dtype=np.float64),
                                   t.detach().double().numpy() if t.dtype != torch.bool else t.numpy(),
                                   rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    elif isinstance(t, (tuple, list)):
        assert isinstance(d, (tuple, list)) and len(d) == len(t), f"{what}: {type(d).__name__} vs {type(t).__name__}"
        for i, (a, b) in enumerate(zip(d, t)):
            assert_same(a, b, info, dtype, grad, f"{what}[{i}]")
    elif t is None:
        assert d is None, f"{what}: expected None"
    else:
        assert d == t or (isinstance(t, float) and np.isclose(d, t)), f"{what}: {d!r} vs {t!r}"


# -- the tests -------------------------------------------------------------------------------------
@pytest.mark.parametrize("info, dtype, sample", CASES)
def test_forward_matches_torch(info, dtype, sample):
    t_out, _ = call(torch, info, sample, requires_grad=info.grad)
    d_out, _ = call(dxdy, info, sample, requires_grad=info.grad)
    assert_same(d_out, t_out, info, dtype)
    if info.check_node_name:
        for d, t in zip(_tensors(d_out), _tensors(t_out)):
            if isinstance(t, torch.Tensor) and t.grad_fn is not None:
                expected = info.exact_node or t.grad_fn.name().replace("torch::", "dxdy::")
                assert d.grad_fn is not None and d.grad_fn.name() == expected


def _method_name(info):
    return info.torch_path.split(".")[-1]


# The samples whose op PyTorch has as a Tensor method, called on the first argument (dxdy's methods and in-place
# forms against PyTorch's: test_tensor_methods.py).
METHOD_CASES = [c for c in CASES if c.values[0].method and c.values[2].args
                and isinstance(c.values[2].args[0], np.ndarray) and hasattr(torch.Tensor, _method_name(c.values[0]))]


def test_rows_without_a_method_call_have_a_method_of_their_own():
    # `method=False` marks a row whose Tensor method of that name is another function (Tensor.where takes
    # (condition, other); Tensor.norm is torch.norm, not torch.linalg.norm): never a method dxdy lacks.
    # (Tensor.solve is the torch.solve PyTorch removed: it only raises.)
    for info in OP_DB:
        if not info.method and hasattr(torch.Tensor, _method_name(info)) and _method_name(info) != "solve":
            assert hasattr(dxdy.Tensor, _method_name(info)), f"Tensor.{_method_name(info)} is missing"
            assert getattr(dxdy.Tensor, _method_name(info)) is not resolve(dxdy, info.name), info.name


@pytest.mark.parametrize("info, dtype, sample", METHOD_CASES)
def test_method_matches_function(info, dtype, sample):
    assert hasattr(dxdy.Tensor, _method_name(info)), f"PyTorch's Tensor has {_method_name(info)}, dxdy's lacks it"
    d_fn, _ = call(dxdy, info, sample, requires_grad=False)
    d_m, _ = call(dxdy, info, sample, requires_grad=False, method=True)
    for a, b in zip(_tensors(d_fn), _tensors(d_m)):
        if isinstance(a, dxdy.Tensor):
            np.testing.assert_array_equal(np.asarray(a._data), np.asarray(b._data))


def _cotangents(outputs, rng):
    return [np.asarray(rng.standard_normal(tuple(o.shape))).astype(str(o.dtype).replace("torch.", ""))
            for o in outputs]


@pytest.mark.parametrize("info, dtype, sample", GRAD_CASES)
def test_gradients_match_torch(info, dtype, sample):
    t_out, t_leaves = call(torch, info, sample)
    d_out, d_leaves = call(dxdy, info, sample)
    t_outs = [o for o in _tensors(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
    d_outs = [o for o, t in zip(_tensors(d_out), _tensors(t_out)) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_outs:
        for o in _tensors(d_out):
            assert not (isinstance(o, dxdy.Tensor) and o.requires_grad)
        return
    vs = _cotangents(t_outs, np.random.default_rng(SEED + 1))
    t_grads = torch.autograd.grad(t_outs, t_leaves, [torch.tensor(v) for v in vs], allow_unused=True)
    d_grads = dxdy.autograd.grad(d_outs, d_leaves, [dxdy.tensor(v) for v in vs], allow_unused=True)
    for i, (dg, tg) in enumerate(zip(d_grads, t_grads)):
        assert_same(dg, tg, info, dtype, grad=True, what=f"grad of input {i}")


def _function_of_leaves(info, sample):
    """The op as a function of its floating inputs, the other arguments fixed (for gradcheck)."""
    leaves = []
    args = tuple(_convert(dxdy, a, leaves, True) for a in sample.args)
    kwargs = {k: _convert(dxdy, v, leaves, True) for k, v in sample.kwargs.items()}
    fn = resolve(dxdy, info.name)
    ids = [id(t) for t in leaves]

    def swap(value, new):
        if isinstance(value, dxdy.Tensor) and id(value) in ids:
            return new[ids.index(id(value))]
        if isinstance(value, list):
            return [swap(v, new) for v in value]
        if isinstance(value, tuple):
            return tuple(swap(v, new) for v in value)
        return value

    def f(*new):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (compared with PyTorch's in test_warnings.py)
            out = fn(*swap(args, new), **{k: swap(v, new) for k, v in kwargs.items()})
        return tuple(o for o in _tensors(out) if isinstance(o, dxdy.Tensor) and o.requires_grad)
    return f, leaves


@pytest.mark.parametrize("info, dtype, sample", F64_GRAD_CASES)
def test_gradcheck(info, dtype, sample):
    f, leaves = _function_of_leaves(info, sample)
    if not leaves or not f(*leaves):
        return
    assert dxdy.autograd.gradcheck(f, tuple(leaves), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("info, dtype, sample", F64_GRADGRAD_CASES)
def test_gradgradcheck(info, dtype, sample):
    f, leaves = _function_of_leaves(info, sample)
    if not leaves or not f(*leaves):
        return
    assert dxdy.autograd.gradgradcheck(f, tuple(leaves), eps=1e-6, atol=1e-5, rtol=1e-3)


def test_every_public_op_is_in_the_table():
    table = ops_by_name()
    missing = [name for name in dxdy.__all__ if callable(getattr(dxdy, name)) and name not in NOT_OPS
               and name not in table]
    assert not missing, f"ops in dxdy.__all__ without an OpInfo in tests/op_db.py: {missing}"

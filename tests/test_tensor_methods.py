"""Tensor methods and in-place forms: dxdy's Tensor has those PyTorch's has, and they behave as PyTorch's.

The tables come from the op families (NOTE [Methods and in-place forms] in dxdy/ops/__init__.py); the
first tests hold them to PyTorch's Tensor, the generic test runs every in-place form on the samples of
the op table, and the rest pin what the table's samples do not reach (shape changes in place, views,
comparisons, random draws, the dtype rules of single ops).
"""
import types
import warnings

import numpy as np
import pytest
import torch

import dxdy
import dxdy.linalg
import dxdy.nn.functional
from op_db import OP_DB, Maker
from op_info import NoGrad, map_arrays

SEED = 4321

# PyTorch's Tensor methods that dxdy's function of the same name is not, with the reason.
NOT_METHODS = {"solve": "Tensor.solve is torch.solve, which PyTorch removed (it raises); dxdy.linalg.solve is "
                        "torch.linalg.solve, which is not a method"}
# Tensor attributes of dxdy's that PyTorch's Tensor lacks.
DXDY_ONLY = {"is_node": "the engine tells leaves from nodes by it"}


def _functions(module):
    names = [n for n in dir(module) if not n.startswith("_")]
    return {n for n in names if isinstance(getattr(module, n), types.FunctionType)}


# The public functions whose PyTorch counterparts may be Tensor methods: top level, nn.functional, linalg.
FUNCTIONS = _functions(dxdy) | _functions(dxdy.nn.functional) | _functions(dxdy.linalg)
OURS = {n for n in dir(dxdy.Tensor) if not n.startswith("_")}
THEIRS = {n for n in dir(torch.Tensor) if not n.startswith("_")}


def test_every_function_pytorch_has_as_a_method_is_a_method():
    missing = sorted(n for n in FUNCTIONS if n in THEIRS and n not in OURS and n not in NOT_METHODS)
    assert not missing, f"functions that PyTorch's Tensor has as methods and dxdy's lacks: {missing}"
    for name in NOT_METHODS:  # the exclusions stay true
        assert name in THEIRS and name not in OURS


def test_every_in_place_form_pytorch_has_is_there():
    missing = sorted(n for n in THEIRS if n.endswith("_") and n[:-1] in OURS | FUNCTIONS and n not in OURS)
    assert not missing, f"in-place forms that PyTorch's Tensor has and dxdy's lacks: {missing}"


def test_no_method_that_pytorch_lacks():
    extra = sorted(n for n in OURS if n not in THEIRS)
    assert extra == sorted(DXDY_ONLY), f"Tensor attributes PyTorch's Tensor lacks: {extra}"


def test_methods_are_the_op_functions_themselves():
    # No wrapper on the hot path: the method is the function (NOTE [Methods and in-place forms]).
    assert dxdy.Tensor.exp is dxdy.exp
    assert dxdy.Tensor.sum is dxdy.sum
    assert dxdy.Tensor.cross is dxdy.cross and dxdy.Tensor.det is dxdy.det
    assert dxdy.Tensor.bernoulli is dxdy.bernoulli and dxdy.Tensor.multinomial is dxdy.multinomial


# -- every in-place form on the op table's samples --------------------------------------------------------
def _in_place_cases():
    cases = []
    for info in OP_DB:
        name = info.torch_path.split(".")[-1] + "_"
        if not info.method or info.nondeterministic or name not in THEIRS:
            continue
        dtype = "float64" if "float64" in info.dtypes else info.dtypes[0]
        for k, sample in enumerate(info.samples(Maker(np.random.default_rng(SEED), dtype, info.domain), dtype)):
            if not sample.args or not isinstance(sample.args[0], np.ndarray):
                continue
            if info.sample_filter is not None and not info.sample_filter(sample, dtype):
                continue
            cases.append(pytest.param(info, name, sample, id=f"{name}-{info.name}-{k}-{sample!r}"))
    return cases


def _failure(e):
    lines = str(e).splitlines()
    return type(e).__name__, lines[0] if lines else ""


def _node(t):
    return None if t.grad_fn is None else t.grad_fn.name().split("::")[-1]


def _in_place(lib, info, name, sample, leaf_self=False):
    """What `x.name_(*rest)` does to a copy x of the sample's first input (or to the leaf itself)."""
    leaves = []

    def tensor(a):
        grad = info.grad and not isinstance(a, NoGrad) and np.asarray(getattr(a, "array", a)).dtype.kind == "f"
        t = lib.tensor(np.array(getattr(a, "array", a)))
        if grad:
            t.requires_grad_(True)
            leaves.append(t)
        return t

    args = [map_arrays(a, tensor) for a in sample.args]
    kwargs = {k: map_arrays(v, tensor) for k, v in sample.kwargs.items()}
    x = args[0] if leaf_self else args[0].clone()
    version = x._version
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = getattr(x, name)(*args[1:], **kwargs)
        except Exception as e:  # noqa: BLE001  (compared with PyTorch's)
            return _failure(e)
    out = {"is self": r is x, "values": x.detach().numpy().copy(), "dtype": str(x.dtype).split(".")[-1],
           "version": x._version - version, "node": _node(x), "requires_grad": x.requires_grad}
    if x.requires_grad and leaves:
        v = np.random.default_rng(SEED).standard_normal(tuple(x.shape)).astype(out["dtype"])
        try:
            grads = lib.autograd.grad(x, leaves, lib.tensor(v), allow_unused=True)
            out["grads"] = [None if g is None else g.numpy(force=True) for g in grads]
        except RuntimeError as e:
            out["grads"] = _failure(e)
    return out


def _assert_same(d, t, what):
    if isinstance(t, dict):
        assert isinstance(d, dict), f"{what}: dxdy gave {d}"
        assert d.keys() == t.keys(), what
        for k in t:
            _assert_same(d[k], t[k], f"{what}, {k}")
    elif isinstance(t, list):
        assert isinstance(d, list) and len(d) == len(t), f"{what}: {d} vs {t}"
        for i, (a, b) in enumerate(zip(d, t)):
            _assert_same(a, b, f"{what}[{i}]")
    elif isinstance(t, np.ndarray):
        assert isinstance(d, np.ndarray) and d.shape == t.shape and d.dtype == t.dtype, f"{what}: {d!r} vs {t!r}"
        np.testing.assert_allclose(d.astype(np.float64), t.astype(np.float64), rtol=1e-6, atol=1e-9,
                                   equal_nan=True, err_msg=what)
    else:
        assert d == t, f"{what}: {d!r} vs {t!r}"


@pytest.mark.parametrize("info, name, sample", _in_place_cases())
def test_in_place_form_matches_pytorch(info, name, sample):
    # values, dtype, self returned, one version bump, node and gradients; or the same error
    _assert_same(_in_place(dxdy, info, name, sample), _in_place(torch, info, name, sample), name)
    if info.grad and sample.args[0].dtype.kind == "f":  # a leaf that requires grad is refused
        _assert_same(_in_place(dxdy, info, name, sample, leaf_self=True),
                     _in_place(torch, info, name, sample, leaf_self=True), f"{name} on a leaf")


# -- the same program in both libraries -----------------------------------------------------------------------
def _run(program, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _plain(program(lib))
        except Exception as e:  # noqa: BLE001  (compared with PyTorch's)
            return _failure(e)


def _plain(value):
    """Tensors as (values, dtype), nodes as their names; through tuples and lists."""
    if isinstance(value, (torch.Tensor, dxdy.Tensor)):
        return {"values": value.detach().numpy(force=True).copy(), "dtype": str(value.dtype).split(".")[-1]}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (torch.dtype, dxdy.dtype)):
        return str(value).split(".")[-1]
    if hasattr(value, "name") and callable(value.name):  # a grad_fn
        return value.name().split("::")[-1]
    return value


def same(program, fails=False):
    """dxdy runs `program(lib)` as PyTorch does: the same results, or the same error (when `fails`; None: either)."""
    t = _run(program, torch)
    if fails is not None:
        assert isinstance(t, tuple) == fails, f"PyTorch gave {t}"  # (a failure is a tuple, results are lists)
    _assert_same(_run(program, dxdy), t, "program")


def _arange(lib, *shape, dtype=None, requires_grad=False):
    n = int(np.prod(shape))
    t = lib.tensor(np.arange(1.0, n + 1).reshape(shape), dtype=dtype or lib.float64)
    return t.requires_grad_(requires_grad)


def _grads(lib, out, leaves):
    w = lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
    return list(lib.autograd.grad((out * w).sum(), leaves, allow_unused=True, retain_graph=True))


# -- methods dxdy lacked -------------------------------------------------------------------------------------
def test_prelu_method():
    def program(L):
        x = L.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        w = L.tensor([0.25, 0.5], requires_grad=True)
        y = x.prelu(w)
        return y, y.grad_fn, _grads(L, y, [x, w])
    same(program)


def test_bernoulli_and_multinomial_methods_are_the_functions():
    p = dxdy.tensor([0.0, 0.3, 1.0, 0.7])
    for method, function in ((lambda: p.bernoulli(), lambda: dxdy.bernoulli(p)),
                             (lambda: p.multinomial(3), lambda: dxdy.multinomial(p, 3))):
        dxdy.manual_seed(7)
        a = method()
        dxdy.manual_seed(7)
        b = function()
        assert a.dtype == b.dtype and dxdy.equal(a, b)
    same(lambda L: (L.tensor([0.0, 1.0, 1.0]).bernoulli(), L.tensor([0.0, 0.0, 2.0]).multinomial(1)))


# -- dtypes in place -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("program", [
    lambda L: L.arange(4).div_(2),  # result type Float can't be cast to the desired output type Long
    lambda L: L.arange(4).divide_(2, rounding_mode="floor"),
    lambda L: L.arange(4).multiply_(2.5),
    lambda L: L.arange(4).subtract_(1, alpha=2),
    lambda L: L.arange(4).absolute_(),
    lambda L: L.tensor([True, False]).absolute_(),
    lambda L: L.arange(-2, 2).sgn_(),
    lambda L: L.tensor([-1.5, 2.5]).fix_(),
    lambda L: L.arange(4).fix_(),
    lambda L: L.arange(4).arctan2_(L.ones(4)),
    lambda L: L.tensor([1.0, 2.0]).arctan2_(L.tensor([2.0, -1.0])),
    lambda L: L.tensor([3.0, 2.0], dtype=L.float64).float_power_(2),
    lambda L: L.tensor([3.0, 2.0], dtype=L.float64).float_power_(L.tensor([2, 3])),
    lambda L: L.tensor([3.0, 2.0]).float_power_(2),
    lambda L: L.arange(3).float_power_(2),
    lambda L: L.tensor([1, 2, 3]).cumsum_(0),
    lambda L: L.tensor([1, 2, 3], dtype=L.int32).cumprod_(0),
    lambda L: L.tensor([[1.0, 2.0], [3.0, 4.0]]).cumsum_(1, dtype=L.float32),
    lambda L: L.tensor([1.0, 2.0]).cumsum_(0, dtype=L.float64),
    lambda L: L.tensor([1, 2]).cumprod_(0, dtype=L.float32),
    lambda L: L.tensor([True, False]).cumsum_(0),
    lambda L: L.ones(2, requires_grad=True).cumsum_(0, dtype=L.float64),  # the leaf, PyTorch's first complaint
    lambda L: L.tensor([6, 5], dtype=L.int32).bitwise_and_(L.tensor([3, 3])),
    lambda L: L.tensor([6, 5]).bitwise_or_(3),
    lambda L: L.tensor([6, 5], dtype=L.uint8).bitwise_xor_(L.tensor([3, 3], dtype=L.uint8)),
    lambda L: L.tensor([True, False]).bitwise_not_(),
    lambda L: L.tensor([6, -5]).bitwise_not_(),
    lambda L: L.tensor([1.0]).bitwise_not_(),
    lambda L: L.tensor([True, False]).bitwise_and_(L.tensor([1, 1])),
    lambda L: L.tensor([0.0, 2.0]).logical_not_(),
    lambda L: L.tensor([0, 2]).logical_and_(L.tensor([1.0, 1.0])),
    lambda L: L.tensor([True, False]).logical_or_(L.tensor([0, 0])),
    lambda L: L.tensor([0.0, 2.0, -1.0]).logical_xor_(L.tensor([1, 0, 0])),
], ids=lambda p: "")
def test_in_place_dtypes_match_pytorch(program):
    same(lambda L: (lambda r: (r, r.dtype))(program(L)), fails=None)


# -- comparisons in place ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "not_equal_", "less_", "less_equal_",
                                  "greater_", "greater_equal_"])
def test_comparisons_in_place_write_ones_and_zeros_in_selfs_dtype(name):
    def program(L):
        out = []
        for x in (L.tensor([1.0, 2.0, 3.0]), L.tensor([1, 2, 3]), L.tensor([True, False, True]),
                  L.tensor([1.0, 2.0, 3.0], dtype=L.float64)):
            for other in (2, 2.5, L.tensor([3.0, 2.0, 1.0]), L.tensor(2), L.tensor([[1], [3]])):
                y = x.clone()
                v = y._version
                try:
                    out.append((getattr(y, name)(other) is y, y, y._version - v))
                except RuntimeError as e:
                    out.append(_failure(e))
        return out
    same(program)


@pytest.mark.parametrize("other", ["number", "tensor", "grad tensor", "broadcast grad tensor"])
def test_comparisons_in_place_record_a_node_with_zero_gradients(other):
    def program(L):
        a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = L.tensor([3.0, 2.0, 1.0], requires_grad=other == "grad tensor")
        c = L.tensor([2.0], requires_grad=True)
        y = a * 2
        arg = {"number": 2.5, "tensor": b, "grad tensor": b, "broadcast grad tensor": c}[other]
        y.lt_(arg)
        leaves = [a] + ([b] if other == "grad tensor" else [c] if other == "broadcast grad tensor" else [])
        return y, y.grad_fn, y.requires_grad, _grads(L, y, leaves)
    same(program)


def test_a_comparison_in_place_with_an_other_that_requires_grad():
    def program(L):
        b = L.tensor([3.0, 2.0, 1.0], requires_grad=True)
        x = L.zeros(3)
        x.ge_(b)
        return x, x.grad_fn, x.requires_grad, _grads(L, x, [b])
    same(program)


def test_comparisons_in_place_refuse_what_pytorch_refuses():
    for other in (None, "a", [1.0]):
        same(lambda L: L.zeros(3).lt_(other), fails=True)
    same(lambda L: L.zeros(3, requires_grad=True).eq_(0), fails=True)  # a leaf
    same(lambda L: L.zeros(3).gt_(L.zeros(2, 3)), fails=True)  # self cannot take the broadcast shape


def test_logical_in_place_keeps_the_history_as_pytorch():
    # PyTorch's logical_*_ have no derivative formula: self keeps its node (and so its gradient).
    def program(L):
        a = L.tensor([0.0, 2.0, -1.0], requires_grad=True)
        y = a * 3
        y.logical_and_(L.tensor([1.0, 0.0, 1.0]))
        return y, y.grad_fn, _grads(L, y, [a])
    same(program)


# -- view ops in place: self takes the view's shape --------------------------------------------------------
VIEWS = {
    "t_": lambda x: x.t_(),
    "transpose_": lambda x: x.transpose_(0, 2),
    "transpose_-negative": lambda x: x.transpose_(-1, 0),
    "swapaxes_": lambda x: x.swapaxes_(1, 2),
    "swapdims_": lambda x: x.swapdims_(0, 1),
    "squeeze_": lambda x: x.squeeze_(),
    "squeeze_-dim": lambda x: x.squeeze_(1),
    "squeeze_-dims": lambda x: x.squeeze_((1, 3)),
    "unsqueeze_": lambda x: x.unsqueeze_(0),
    "unsqueeze_-last": lambda x: x.unsqueeze_(-1),
}


def _view_input(L, name, requires_grad=False):
    shape = (2, 3) if name == "t_" else (2, 1, 3, 1) if name.startswith("squeeze_") else (2, 3, 4)
    return _arange(L, *shape, requires_grad=requires_grad)


@pytest.mark.parametrize("name", VIEWS)
def test_view_ops_in_place_change_selfs_shape(name):
    def program(L):
        a = _view_input(L, name, requires_grad=True)
        y = a * 2
        v = y._version
        r = VIEWS[name](y)
        out = [r is y, y, tuple(y.shape), y.stride(), y._version - v, y.grad_fn, y.is_contiguous()]
        y.mul_(L.tensor(np.linspace(1.0, 2.0, y.shape[-1])))  # its memory is still its own
        return out + [y, y.grad_fn, _grads(L, y, [a])]
    same(program)


@pytest.mark.parametrize("name", VIEWS)
def test_view_ops_in_place_without_grad_and_on_leaves(name):
    def program(L):
        x = _view_input(L, name)
        VIEWS[name](x)
        a = _view_input(L, name, requires_grad=True)
        refused = None
        try:
            VIEWS[name](a)  # a leaf that requires grad
        except RuntimeError as e:
            refused = _failure(e)
        with L.no_grad():
            VIEWS[name](a)  # allowed under no_grad, as an optimizer's update
        return x, tuple(x.shape), refused, tuple(a.shape), a.requires_grad, _grads(L, a * 1, [a])
    same(program)


@pytest.mark.parametrize("name", VIEWS)
def test_view_ops_in_place_on_a_view(name):
    def program(L):
        a = _view_input(L, name, requires_grad=True)
        base = a * 1
        w = base[:]  # a view of a non-leaf
        VIEWS[name](w)
        out = [w, w.grad_fn, w._base is base, tuple(base.shape)]
        base.mul_(2)  # the view sees it, and its history follows
        out += [w, w.grad_fn, _grads(L, w, [a])]
        w.add_(1)  # a write through the changed view reaches the base
        return out + [base, base.grad_fn, _grads(L, base, [a])]
    same(program)


@pytest.mark.parametrize("name", VIEWS)
def test_views_of_a_tensor_that_changes_shape_in_place(name):
    def program(L):
        a = _view_input(L, name, requires_grad=True)
        y = a * 1
        row = y[1]  # made before y changes shape
        VIEWS[name](y)
        y.mul_(3)  # row's history follows y's
        out = [row, row.grad_fn, _grads(L, row, [a])]
        row.mul_(-1)  # and a write through row reaches y, in y's new shape
        return out + [y, y.grad_fn, _grads(L, y, [a])]
    same(program)


def test_view_ops_in_place_refuse_what_pytorch_refuses():
    same(lambda L: _arange(L, 2, 3, 4).t_(), fails=True)
    same(lambda L: _arange(L, 2, 3).transpose_(0, 5), fails=True)
    same(lambda L: _arange(L, 2, 3).unsqueeze_(3), fails=True)
    same(lambda L: _arange(L, 2, 3).squeeze_(4), fails=True)
    same(lambda L: (lambda x: (x.t_(), x.unsqueeze_(0), x.squeeze_()))(L.tensor(3.0)))  # 0-d

    def multi_output_view(L):
        a = _arange(L, 2, 3, requires_grad=True)
        return (a * 1).unbind(0)[0].unsqueeze_(0)
    same(multi_output_view, fails=True)

    def no_grad_view(L):
        a = _arange(L, 2, 3, requires_grad=True)
        with L.no_grad():
            v = a.view(6)
        return v.unsqueeze_(0)
    same(no_grad_view, fails=True)


# -- bernoulli_ ----------------------------------------------------------------------------------------------
def test_bernoulli_in_place():
    def program(L):
        out = []
        for x in (L.zeros(2, 3), L.zeros(3, dtype=L.float64), L.arange(3), L.tensor([True, False])):
            for p in ((0.0,), (1.0,), (L.tensor([1.0, 0.0, 1.0]),), (L.ones(1, dtype=L.float64),)):
                v = x._version
                try:
                    out.append((x.bernoulli_(*p) is x, x.clone(), x._version - v))
                except RuntimeError as e:
                    out.append(_failure(e))
            x.bernoulli_()  # p = 0.5: random, but of x's dtype and made of 0s and 1s
            out.append((x.dtype, set(np.unique(x.numpy()).tolist()) <= {0, 1}))
        return out
    same(program)
    dxdy.manual_seed(3)
    draws = dxdy.zeros(1000).bernoulli_(0.25)
    assert set(np.unique(draws.numpy())) <= {0.0, 1.0} and 150 < draws.sum().item() < 350


@pytest.mark.parametrize("p", [2.0, -1, "a", None])
def test_bernoulli_in_place_refuses_what_pytorch_refuses(p):
    same(lambda L: L.zeros(3).bernoulli_(p), fails=True)


@pytest.mark.parametrize("p", ["int", "out of range", "not expandable", "more dims"])
def test_bernoulli_in_place_refuses_probability_tensors_as_pytorch(p):
    same(lambda L: L.zeros(3).bernoulli_({"int": L.tensor([1, 0, 1]), "out of range": L.tensor([2.0, 0, 0]),
                                          "not expandable": L.tensor([0.1, 0.2]),
                                          "more dims": L.full((1, 3), 0.5)}[p]), fails=True)


def test_bernoulli_in_place_records_a_node_with_zero_gradients():
    def program(L):
        a = L.tensor([0.5, 0.25], requires_grad=True)
        q = L.tensor([1.0, 0.0], requires_grad=True)
        y, z = a * 1, a * 1
        y.bernoulli_(1.0)
        z.bernoulli_(q)
        return y, y.grad_fn, z, z.grad_fn, _grads(L, y + z, [a, q]), L.zeros(2).bernoulli_(q).grad_fn
    same(program)


def test_bernoulli_in_place_follows_the_generator():
    g = dxdy.Generator().manual_seed(11)
    a = dxdy.zeros(20).bernoulli_(0.5, generator=g)
    g.manual_seed(11)
    b = dxdy.zeros(20).bernoulli_(0.5, generator=g)
    assert dxdy.equal(a, b)

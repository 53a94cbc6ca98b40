"""logaddexp, xlogy, hypot, copysign, heaviside, dist, addcmul, addcdiv and the activations threshold, celu, selu,
hard/soft shrink, hardsigmoid, hardswish: what the op table cannot reach, against PyTorch.

The op table (tests/op_db_*.py) checks values, dtypes, nodes and gradients of the out-of-place forms. Here: the
in-place forms (methods and functional `_` names, `inplace=True`), which differentiate as PyTorch's nodes do; the
gradients PyTorch refuses (heaviside, dist with p = 0); and PyTorch's deprecated addcmul(input, value, t1, t2).
"""
import math
import warnings

import numpy as np
import pytest
import torch

import dxdy

NAN, INF = math.nan, math.inf
X = [-3.0, -2.0, -0.5, -0.0, 0.0, 0.5, 2.0, 3.0, NAN]
Y = [0.5, -1.0, 2.0, -0.0, 1.0, 0.0, -3.0, 1.5, 2.0]


def F(L):
    return L.nn.functional


# name -> program of the library on x (and y): the in-place op is applied to a non-leaf copy of x
INPLACE = {
    "threshold_": lambda L, x, y: F(L).threshold_(x * 1, 0.5, -2.0),
    "threshold_-value-above": lambda L, x, y: F(L).threshold_(x * 1, -0.5, 2.0),
    "threshold-inplace": lambda L, x, y: F(L).threshold(x * 1, 0.0, 1.0, inplace=True),
    "celu_": lambda L, x, y: F(L).celu_(x * 1),
    "celu_-alpha": lambda L, x, y: F(L).celu_(x * 1, 2.0),
    "celu-inplace": lambda L, x, y: F(L).celu(x * 1, 0.5, inplace=True),
    "selu_": lambda L, x, y: F(L).selu_(x * 1),
    "selu-inplace": lambda L, x, y: F(L).selu(x * 1, inplace=True),
    "hardsigmoid-inplace": lambda L, x, y: F(L).hardsigmoid(x * 1, inplace=True),
    "hardswish-inplace": lambda L, x, y: F(L).hardswish(x * 1, inplace=True),
    "silu-inplace": lambda L, x, y: F(L).silu(x * 1, inplace=True),
    "mish-inplace": lambda L, x, y: F(L).mish(x * 1, inplace=True),
    "elu_": lambda L, x, y: F(L).elu_(x * 1, 0.5),
    "leaky_relu_": lambda L, x, y: F(L).leaky_relu_(x * 1, 0.2),
    "relu_": lambda L, x, y: F(L).relu_(x * 1),
    "hardtanh_": lambda L, x, y: F(L).hardtanh_(x * 1, -1.0, 2.0),
    "xlogy_": lambda L, x, y: (x * 1).xlogy_(y),
    "xlogy_-number": lambda L, x, y: (x * 1).xlogy_(2.0),
    "hypot_": lambda L, x, y: (x * 1).hypot_(y),
    "copysign_": lambda L, x, y: (x * 1).copysign_(y),
    "copysign_-number": lambda L, x, y: (x * 1).copysign_(-1),
    "addcmul_": lambda L, x, y: (x * 1).addcmul_(y, x, value=0.5),
    "addcdiv_": lambda L, x, y: (x * 1).addcdiv_(x, y + 4, value=-2),
    "heaviside_-constant": lambda L, x, y: (x * 1).add_(L.zeros(9, dtype=x.dtype).heaviside_(y.detach())),
}


def _run(L, name, dtype):
    x = L.tensor(X, dtype=dtype, requires_grad=True)
    y = L.tensor(Y, dtype=dtype, requires_grad=True)
    out = INPLACE[name](L, x, y)
    gs = L.autograd.grad(out, (x, y), L.tensor([1.0, -2.0, 0.5, 3.0, INF, 1.0, -1.0, 2.0, 1.0], dtype=dtype),
                         allow_unused=True)
    return (out.detach().numpy(), type(out.grad_fn).__name__, out._version if hasattr(out, "_version") else None,
            [None if g is None else g.numpy() for g in gs])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", INPLACE)
def test_in_place_forms_match_pytorch(name, dtype):
    t = _run(torch, name, getattr(torch, dtype))
    d = _run(dxdy, name, getattr(dxdy, dtype))
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(d[0], t[0], rtol=rtol, equal_nan=True)
    assert d[1] == t[1]
    for a, b in zip(d[3], t[3]):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-6 if dtype == "float32" else 0, equal_nan=True)


@pytest.mark.parametrize("inplace", [lambda L, x: F(L).celu_(x, -1.0), lambda L, x: F(L).celu(x, -0.5, True)])
def test_in_place_celu_with_a_negative_alpha_refuses_backward(inplace):
    messages = []
    for L in (torch, dxdy):
        x = L.tensor([-1.0, 2.0], requires_grad=True)
        y = inplace(L, x * 1)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def _in_place_calls(fn):
    return (lambda t: fn.threshold_(t, 0.0, 0.0), fn.celu_, fn.selu_, lambda t: fn.hardswish(t, True),
            lambda t: fn.hardsigmoid(t, True), lambda t: fn.silu(t, True),
            lambda t: t.addcmul_(t, t), lambda t: t.addcdiv_(t, t + 5), lambda t: t.xlogy_(t.abs() + 1),
            lambda t: t.hypot_(t), lambda t: t.copysign_(-1.0))


def test_in_place_forms_return_self_and_bump_the_version():
    for L in (torch, dxdy):
        x = L.tensor([-1.0, 0.5, 2.0])
        for f in _in_place_calls(F(L)):
            v = x._version
            assert f(x) is x
            assert x._version == v + 1


def test_heaviside_has_no_gradient_as_in_pytorch():
    messages = []
    for L in (torch, dxdy):
        x = L.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        h = L.heaviside(x, L.tensor([0.5]))
        assert h.requires_grad
        assert h.grad_fn.name().split("::")[-1] == "NotImplemented"
        with pytest.raises(RuntimeError) as e:
            h.sum().backward()
        messages.append(str(e.value))
    assert messages[0] == messages[1] == "derivative for aten::heaviside is not implemented"


def test_dist_with_p_0_has_no_gradient_and_refuses_one_for_other():
    # PyTorch's norm has no gradient for p = 0; its dist rule for `other` then fails on the undefined tensor.
    for L in (torch, dxdy):
        x = L.tensor([1.0, 2.0, 0.0], requires_grad=True)
        y = L.tensor([0.0, 4.0, 0.0])
        assert L.autograd.grad(L.dist(x, y, 0), x, allow_unused=True) == (None,)
        y.requires_grad_(True)
        with pytest.raises(RuntimeError, match="Expected a proper Tensor but got None"):
            L.dist(x, y, 0).backward()


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_the_deprecated_value_first_overload_warns_and_works(name):
    results = []
    for L in (torch, dxdy):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = getattr(L, name)(x, 0.5, x * 2, x + 1)
        # (PyTorch warns once per process, so only dxdy's warning is certain to be seen here)
        assert L is torch or any("This overload of " + name + " is deprecated" in str(m.message) for m in w)
        (g,) = L.autograd.grad(out.sum(), x)
        results.append((out.detach().numpy(), g.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)


def test_addcmul_of_integers_takes_the_value_as_an_integer():
    for value in (2.5, -1.7, True):
        expected = torch.addcmul(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6]), value=value)
        got = dxdy.addcmul(dxdy.tensor([1, 2, 3]), dxdy.tensor([1, 2, 3]), dxdy.tensor([4, 5, 6]), value=value)
        assert got.dtype == dxdy.int64
        assert got.tolist() == expected.tolist()


def test_value_may_be_a_0d_tensor():
    for name in ("addcmul", "addcdiv"):
        t = getattr(torch, name)(torch.ones(3), torch.ones(3) * 2, torch.ones(3) * 4, value=torch.tensor(3.0))
        d = getattr(dxdy, name)(dxdy.ones(3), dxdy.ones(3) * 2, dxdy.ones(3) * 4, value=dxdy.tensor(3.0))
        assert d.tolist() == t.tolist()


def test_methods_exist_where_pytorch_has_them():
    for name in ("logaddexp", "logaddexp2", "xlogy", "xlogy_", "hypot", "hypot_", "copysign", "copysign_",
                 "heaviside", "heaviside_", "dist", "addcmul", "addcmul_", "addcdiv", "addcdiv_", "hardshrink"):
        assert hasattr(torch.Tensor, name) and hasattr(dxdy.Tensor, name), name
    for name in ("threshold", "threshold_", "celu", "celu_", "selu", "selu_", "hardshrink", "softshrink",
                 "hardsigmoid", "hardswish", "silu", "mish", "logsigmoid", "softsign", "tanhshrink", "relu_", "elu_",
                 "leaky_relu_", "hardtanh_"):
        assert hasattr(torch.nn.functional, name) and hasattr(dxdy.nn.functional, name), name


def test_threshold_of_integers_takes_the_numbers_as_integers():
    for th, v in ((-0.5, 7.9), (0, -2), (1.5, 3)):
        t = torch.nn.functional.threshold(torch.tensor([-1, 0, 1, 2]), th, v)
        d = dxdy.nn.functional.threshold(dxdy.tensor([-1, 0, 1, 2]), th, v)
        assert d.dtype == dxdy.int64 and d.tolist() == t.tolist()

"""Gradients PyTorch masks, the vdot path of vecdot, and nodes that save only the indices.

Each test runs the same program on dxdy and on PyTorch (`L` is the library) and compares:

- where an op's derivative is zero, PyTorch masks the gradient (relu, maximum, hardtanh) or returns zeros
  (floor, sign, ...), so an infinite or NaN incoming gradient gives 0 there, not NaN (NOTE [Masked gradients]
  in dxdy/ops/elementwise.py);
- linalg.vecdot of two 1-D tensors is vdot (VdotBackward0), with PyTorch's checks;
- max(dim), min(dim), sort, topk, kthvalue, median(dim) save only the indices, var_mean only the input and
  std_mean no mean: changing those results in place does not spoil backward (NOTE [Saving only the indices]
  in dxdy/ops/sorting.py).
"""
import numpy as np
import pytest
import torch

import dxdy
from dxdy.ops._xp import where_or_zero

NAN, INF = float("nan"), float("inf")
X = [-1.5, 0.0, 2.0, -0.5, 0.5, 3.0, 7.0, -7.0, 1.0, -1.0, 6.0]
# non-finite entries at every kind of position: inside, outside and at the bounds of each op
G = [NAN, INF, -INF, NAN, INF, -INF, NAN, INF, -INF, NAN, INF]


def F(L):
    return L.nn.functional


def other(L, dtype):
    return L.tensor([0.0, 0.0, 3.0, -0.5, 1.0, 3.0, NAN, -7.0, 2.0, -2.0, 6.0], dtype=dtype)


# op name -> (program of the library and the input; which argument is x: 0 first, 1 second)
OPS = {
    "relu": lambda L, x: L.relu(x),
    "F.relu": lambda L, x: F(L).relu(x),
    "relu_": lambda L, x: x.clone().relu_(),
    "relu6": lambda L, x: F(L).relu6(x),
    "hardtanh": lambda L, x: F(L).hardtanh(x),
    "hardtanh-bounds": lambda L, x: F(L).hardtanh(x, -0.5, 2.0),
    "floor": lambda L, x: L.floor(x),
    "ceil": lambda L, x: L.ceil(x),
    "trunc": lambda L, x: L.trunc(x),
    "round": lambda L, x: L.round(x),
    "round-decimals": lambda L, x: L.round(x, decimals=1),
    "sign": lambda L, x: L.sign(x),
    "floor_": lambda L, x: x.clone().floor_(),
    "pow-0": lambda L, x: L.pow(x, 0.0),
    "maximum": lambda L, x: L.maximum(x, other(L, x.dtype)),
    "maximum-y": lambda L, x: L.maximum(other(L, x.dtype), x),
    "minimum": lambda L, x: L.minimum(x, other(L, x.dtype)),
    "minimum-y": lambda L, x: L.minimum(other(L, x.dtype), x),
    "fmax": lambda L, x: L.fmax(x, other(L, x.dtype)),
    "fmax-y": lambda L, x: L.fmax(other(L, x.dtype), x),
    "fmin": lambda L, x: L.fmin(x, other(L, x.dtype)),
    "fmin-y": lambda L, x: L.fmin(other(L, x.dtype), x),
    "max-dim": lambda L, x: L.max(x.reshape(1, 11).expand(3, 11), 0)[0],
    "min-dim": lambda L, x: L.min(x.reshape(1, 11).expand(3, 11), 0)[0],
    "sort": lambda L, x: L.sort(x)[0],
    "topk": lambda L, x: L.topk(x.reshape(1, 11).expand(2, 11), 3)[0].reshape(-1)[:6].repeat(2)[:11],
    "threshold": lambda L, x: F(L).threshold(x, 0.5, -2.0),
    "threshold_": lambda L, x: F(L).threshold_(x.clone(), 0.5, 3.0),
    "hardshrink": lambda L, x: F(L).hardshrink(x),
    "softshrink": lambda L, x: F(L).softshrink(x, 1.0),
    "hardsigmoid": lambda L, x: F(L).hardsigmoid(x),
    "hardsigmoid-inplace": lambda L, x: F(L).hardsigmoid(x.clone(), inplace=True),
    "hardswish": lambda L, x: F(L).hardswish(x),
    "hardswish-inplace": lambda L, x: F(L).hardswish(x.clone(), inplace=True),
    "copysign-y": lambda L, x: L.copysign(other(L, x.dtype), x),
    "heaviside-free-x": lambda L, x: x + L.heaviside(x.detach(), other(L, x.dtype)),
}
OPS_WITH_NAN_INPUT = ["relu", "relu6", "hardtanh", "maximum", "maximum-y", "minimum", "fmax", "fmax-y", "fmin",
                      "threshold", "threshold_", "hardshrink", "softshrink", "hardsigmoid", "hardswish"]


def _run(L, name, values, gradient, dtype, create_graph=False):
    x = L.tensor(values, dtype=dtype, requires_grad=True)
    y = OPS[name](L, x)
    (gx,) = L.autograd.grad(y, x, L.tensor(gradient, dtype=dtype), create_graph=create_graph)
    return y, gx


def _check(name, values, gradient, dtype=torch.float32):
    yt, gt = _run(torch, name, values, gradient, dtype)
    yd, gd = _run(dxdy, name, values, gradient, getattr(dxdy, str(dtype).split(".")[1]))
    np.testing.assert_array_equal(yd.detach().numpy(), yt.detach().numpy())
    assert type(yd.grad_fn).__name__ == type(yt.grad_fn).__name__
    a, b = gd.numpy(), gt.numpy()
    assert a.dtype == b.dtype
    # same values, NaN at the same places (and so no NaN where PyTorch has none)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=1e-6)
    return a, b


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", OPS)
def test_a_zero_derivative_stops_an_infinite_or_nan_gradient(name, dtype):
    a, b = _check(name, X, G, dtype)
    assert (np.isnan(a) == np.isnan(b)).all()


@pytest.mark.parametrize("name", OPS)
def test_ordinary_gradients_match_pytorch(name):
    g = np.linspace(-2.0, 3.0, 11).tolist()
    _check(name, X, g)


@pytest.mark.parametrize("name", OPS_WITH_NAN_INPUT)
def test_a_nan_input_gets_the_gradient_pytorch_gives_it(name):
    x = list(X)
    x[3] = NAN
    _check(name, x, np.linspace(-2.0, 3.0, 11).tolist())
    _check(name, x, G)


@pytest.mark.parametrize("name", ["relu", "hardtanh", "maximum", "minimum-y", "fmax", "fmin-y"])
def test_masked_gradients_of_big_arrays(name):
    # over 4096 elements the mask is applied to the bits (dxdy.ops._xp.where_or_zero): same values, +0 where masked
    rng = np.random.default_rng(1)
    n = 5000
    values = rng.normal(size=n) * 3
    values[::7] = 0.0
    values[::11] = 1.0
    gradient = rng.normal(size=n)
    gradient[::3] = INF
    gradient[::5] = -INF
    gradient[::13] = NAN
    big = {"relu": lambda L, x: L.relu(x), "hardtanh": lambda L, x: F(L).hardtanh(x),
           "maximum": lambda L, x: L.maximum(x, L.zeros(n, dtype=x.dtype)),
           "minimum-y": lambda L, x: L.minimum(L.zeros(n, dtype=x.dtype), x),
           "fmax": lambda L, x: L.fmax(x, L.ones(n, dtype=x.dtype)),
           "fmin-y": lambda L, x: L.fmin(L.ones(n, dtype=x.dtype), x)}[name]
    for T, dt in ((torch, torch.float32), (dxdy, dxdy.float32)):
        x = T.tensor(values.tolist(), dtype=dt, requires_grad=True)
        big(T, x).backward(T.tensor(gradient.tolist(), dtype=dt))
        if T is torch:
            expected = x.grad.numpy()
        else:
            got = x.grad.numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))  # +0 where masked, as PyTorch


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("n", [7, 5000])
def test_where_or_zero_is_where(dtype, n):
    rng = np.random.default_rng(2)
    g = rng.normal(size=n).astype(dtype)
    g[::3], g[::5], g[::7] = np.inf, -np.inf, np.nan
    keep = rng.random(n) < 0.5
    got = where_or_zero(keep, g)
    expected = np.where(keep, g, 0)
    assert got.dtype == expected.dtype == dtype
    np.testing.assert_array_equal(got, expected)
    assert not np.signbit(got[~keep]).any()


@pytest.mark.parametrize("name", ["relu", "hardtanh", "maximum", "fmin-y", "floor", "sign", "max-dim", "sort",
                                  "threshold", "hardshrink", "softshrink", "hardswish"])
def test_second_order_gradients_match_pytorch(name):
    # create_graph: the rules run on tensors (tensor_ns.where_or_zero, zeros_like, index_add_zeros)
    def program(L, dt):
        x = L.tensor(X, dtype=dt, requires_grad=True)
        y = OPS[name](L, x)
        (gx,) = L.autograd.grad((y * y).sum(), x, create_graph=True)
        if not gx.requires_grad:  # floor, sign: zeros, a constant (in both)
            return gx.numpy(), None
        (ggx,) = L.autograd.grad((gx * gx).sum(), x, allow_unused=True)
        return gx.detach().numpy(), None if ggx is None else ggx.numpy()
    gt, ggt = program(torch, torch.float64)
    gd, ggd = program(dxdy, dxdy.float64)
    np.testing.assert_allclose(gd, gt)
    if ggt is None:
        assert ggd is None or not ggd.any()
    else:
        np.testing.assert_allclose(ggd if ggd is not None else np.zeros_like(ggt), ggt)


# -- linalg.vecdot ---------------------------------------------------------------------------------------------
VECDOT = {
    "1d": lambda L: (L.tensor([1.0, 2.0, -3.0]), L.tensor([3.0, 4.0, 0.5]), {}),
    "1d-dim0": lambda L: (L.tensor([1.0, 2.0]), L.tensor([3.0, 4.0]), {"dim": 0}),
    "1d-dim1": lambda L: (L.tensor([1.0, 2.0]), L.tensor([3.0, 4.0]), {"dim": 1}),  # PyTorch ignores dim here
    "1d-float64": lambda L: (L.tensor([1.0, 2.0], dtype=L.float64), L.tensor([3.0, 4.0], dtype=L.float64), {}),
    "empty": lambda L: (L.zeros(0), L.zeros(0), {}),
    "batched": lambda L: (L.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]]), L.tensor([3.0, 4.0]), {}),
    "batched-first": lambda L: (L.tensor([3.0, 4.0]), L.tensor([[1.0, 2.0], [3.0, -1.0]]), {}),
    "batched-dim0": lambda L: (L.tensor([[1.0, 2.0], [3.0, -1.0]]), L.tensor([[0.5, 2.0], [1.0, 1.0]]), {"dim": 0}),
    "0d": lambda L: (L.tensor(2.0), L.tensor(3.0), {}),
    "1d-0d": lambda L: (L.tensor([1.0, 2.0]), L.tensor(3.0), {}),
}


@pytest.mark.parametrize("case", VECDOT)
def test_vecdot_matches_pytorch(case):
    results = []
    for L in (torch, dxdy):
        x, y, kw = VECDOT[case](L)
        x.requires_grad_(True)
        y.requires_grad_(True)
        r = L.linalg.vecdot(x, y, **kw)
        r.backward(L.ones_like(r))
        results.append((type(r.grad_fn).__name__, r.detach().numpy(), x.grad.numpy(), y.grad.numpy(),
                        len(r.grad_fn.next_functions)))
    (tn, tr, tgx, tgy, tk), (dn, dr, dgx, dgy, dk) = results
    assert dn == tn
    assert dk == tk
    assert dr.dtype == tr.dtype
    np.testing.assert_allclose(dr, tr, rtol=1e-6)
    np.testing.assert_allclose(dgx, tgx, rtol=1e-6)
    np.testing.assert_allclose(dgy, tgy, rtol=1e-6)


def test_vecdot_of_vectors_is_vdot_with_one_input_constant():
    for L in (torch, dxdy):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        r = L.linalg.vecdot(x, L.tensor([3.0, 4.0]))
        assert type(r.grad_fn).__name__ == "VdotBackward0"
        assert r.grad_fn.next_functions[1][0] is None
        r.backward()
        assert x.grad.tolist() == [3.0, 4.0]


VECDOT_ERRORS = {
    "dtypes": lambda L: L.linalg.vecdot(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0], dtype=L.float64)),
    "float-long": lambda L: L.linalg.vecdot(L.tensor([1.0, 2.0]), L.tensor([1, 2])),
    "batched-dtypes": lambda L: L.linalg.vecdot(L.ones(2, 2), L.ones(2, dtype=L.int64)),
    "long": lambda L: L.linalg.vecdot(L.tensor([1, 2]), L.tensor([3, 4])),
    "bool": lambda L: L.linalg.vecdot(L.tensor([True]), L.tensor([True])),
    "sizes": lambda L: L.linalg.vecdot(L.tensor([1.0, 2.0]), L.tensor([1.0])),
    "not-a-tensor": lambda L: L.linalg.vecdot([1.0], L.ones(1)),
    "not-a-tensor-y": lambda L: L.linalg.vecdot(L.ones(1), [1.0]),
}


@pytest.mark.parametrize("case", VECDOT_ERRORS)
def test_vecdot_errors_match_pytorch(case):
    with pytest.raises(Exception) as expected:
        VECDOT_ERRORS[case](torch)
    with pytest.raises(type(expected.value)) as got:
        VECDOT_ERRORS[case](dxdy)
    assert str(got.value) == str(expected.value)


# -- results PyTorch does not save --------------------------------------------------------------------------
# name -> (program returning the op's results; index of the result changed in place; index of the one used)
SELECT = {
    "max-dim": (lambda L, x: L.max(x, 0), 0, 0),
    "max-dim-keepdim": (lambda L, x: L.max(x, 1, keepdim=True), 0, 0),
    "min-dim": (lambda L, x: L.min(x, 1), 0, 0),
    "min-dim-negative": (lambda L, x: L.min(x, -2, True), 0, 0),
    "sort": (lambda L, x: L.sort(x), 0, 0),
    "sort-descending-dim0": (lambda L, x: L.sort(x, 0, descending=True), 0, 0),
    "topk": (lambda L, x: L.topk(x, 2), 0, 0),
    "topk-smallest-dim0": (lambda L, x: L.topk(x, 1, 0, largest=False), 0, 0),
    "kthvalue": (lambda L, x: L.kthvalue(x, 2), 0, 0),
    "kthvalue-keepdim": (lambda L, x: L.kthvalue(x, 1, 0, True), 0, 0),
    "median-dim": (lambda L, x: L.median(x, 1), 0, 0),
    "median-dim-keepdim": (lambda L, x: L.median(x, 0, keepdim=True), 0, 0),
    "var_mean-var": (lambda L, x: L.var_mean(x, 0), 0, 1),
    "var_mean-mean": (lambda L, x: L.var_mean(x, 1), 1, 0),
    "var_mean-all": (lambda L, x: L.var_mean(x), 1, 0),
    "std_mean-mean": (lambda L, x: L.std_mean(x, 0), 1, 0),
    "std_mean-mean-keepdim": (lambda L, x: L.std_mean(x, 1, keepdim=True), 1, 0),
    "std_mean-all": (lambda L, x: L.std_mean(x), 1, 0),
}
# (no ties: which of tied elements topk and kthvalue pick is not this file's subject)
X2 = [[1.0, 5.0, 3.0, 2.5], [4.0, 2.0, 6.0, -1.0], [0.5, 5.5, -2.0, 6.5]]


def _changed_then_backward(L, name, values=X2, both=False):
    f, changed, used = SELECT[name]
    x = L.tensor(values, dtype=L.float64, requires_grad=True)
    r = f(L, x)
    kept = r[changed].detach().clone()
    r[changed].add_(1)
    (r[0] * r[0]).sum().backward() if both else (r[used] * L.arange(1.0, r[used].numel() + 1, dtype=L.float64)
                                                 .reshape(r[used].shape)).sum().backward()
    return kept.numpy(), r[used].detach().numpy(), x.grad.numpy(), type(r[0].grad_fn).__name__


@pytest.mark.parametrize("name", SELECT)
def test_changing_a_result_pytorch_does_not_save(name):
    kept_t, used_t, grad_t, _ = _changed_then_backward(torch, name)
    kept_d, used_d, grad_d, _ = _changed_then_backward(dxdy, name)
    np.testing.assert_allclose(kept_d, kept_t)
    np.testing.assert_allclose(used_d, used_t)
    np.testing.assert_allclose(grad_d, grad_t)


@pytest.mark.parametrize("name", ["max-dim", "sort", "topk", "kthvalue", "median-dim"])
def test_values_are_fresh_and_gradients_match_with_nans(name):
    values = [[1.0, NAN, 3.0, 2.5], [4.0, 2.0, 6.0, -1.0], [NAN, 5.0, NAN, 6.0]]
    f = SELECT[name][0]
    out = []
    for L in (torch, dxdy):
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        v, i = f(L, x)
        saved = v.grad_fn._saved_indices.numpy(), tuple(v.grad_fn._saved_self_sym_sizes)
        v.backward(L.ones_like(v))
        out.append((v.detach().numpy(), i.numpy(), x.grad.numpy(), type(v.grad_fn).__name__, i.grad_fn,
                    i.requires_grad) + saved)
    t, d = out
    np.testing.assert_array_equal(d[0], t[0])
    np.testing.assert_array_equal(d[1], t[1])
    np.testing.assert_array_equal(d[2], t[2])
    assert d[3:6] == t[3:6]
    np.testing.assert_array_equal(d[6], t[6])
    assert d[7] == t[7]


@pytest.mark.parametrize("name", ["max-dim", "min-dim", "sort", "topk", "kthvalue", "median-dim"])
def test_changing_the_indices_still_fails(name):
    f = SELECT[name][0]
    messages = []
    for L in (torch, dxdy):
        x = L.tensor(X2, requires_grad=True)
        v, i = f(L, x)
        i.add_(0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation") as e:
            v.sum().backward()
        messages.append(str(e.value).split("is at version")[0].replace("torch.", "").replace("dxdy.", ""))
    assert messages[0] == messages[1]  # "[LongTensor [4]] " (no "output 1 of ...": the indices are not differentiable)


@pytest.mark.parametrize("name", ["max-dim", "sort", "topk", "kthvalue", "median-dim", "std_mean-mean"])
def test_a_second_backward_still_fails(name):
    f = SELECT[name][0]
    for L in (torch, dxdy):
        x = L.tensor(X2, requires_grad=True)
        y = f(L, x)[0].sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


@pytest.mark.parametrize("op", ["max", "min", "kthvalue", "median", "sort", "topk"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_0d_inputs(op, keepdim):
    calls = {"max": lambda L, x: L.max(x, 0, keepdim), "min": lambda L, x: L.min(x, -1, keepdim),
             "kthvalue": lambda L, x: L.kthvalue(x, 1, 0, keepdim), "median": lambda L, x: L.median(x, 0, keepdim),
             "sort": lambda L, x: L.sort(x), "topk": lambda L, x: L.topk(x, 1)}
    out = []
    for L in (torch, dxdy):
        x = L.tensor(2.5, requires_grad=True)
        r = calls[op](L, x)
        r[0].add_(1)
        r[0].backward(L.tensor(3.0))
        out.append((tuple(r[0].shape), r[0].item(), tuple(r[1].shape), r[1].item(), x.grad.item()))
    assert out[0] == out[1]


def test_std_mean_and_var_mean_gradients_of_both_results():
    out = []
    for L in (torch, dxdy):
        x = L.tensor(X2, dtype=L.float64, requires_grad=True)
        s, m = L.std_mean(x, 1)
        v, m2 = L.var_mean(x, 0, correction=0)
        (s * L.tensor([1.0, 2.0, 3.0], dtype=L.float64)).sum().add(m.sum() * 2).add((v * v).sum()).add(
            (m2 * m2).sum()).backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(out[1], out[0])


def test_std_mean_of_equal_values_has_pytorchs_zero_gradient():
    out = []
    for L in (torch, dxdy):
        x = L.tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]], requires_grad=True)
        s, m = L.std_mean(x, 1)
        m.mul_(2)
        s.sum().backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6)


@pytest.mark.parametrize("op", ["std_mean", "var_mean"])
def test_second_order_std_mean_and_var_mean(op):
    out = []
    for L in (torch, dxdy):
        x = L.tensor(X2, dtype=L.float64, requires_grad=True)
        a, m = getattr(L, op)(x, 1)
        (g,) = L.autograd.grad((a * a * a).sum() + (m * m * m).sum(), x, create_graph=True)
        (gg,) = L.autograd.grad((g * g).sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[1][0], out[0][0])
    np.testing.assert_allclose(out[1][1], out[0][1])


def test_hardsigmoid_has_no_second_derivative_as_in_pytorch():
    for L in (torch, dxdy):
        x = L.tensor(X, dtype=L.float64, requires_grad=True)
        (gx,) = L.autograd.grad(F(L).hardsigmoid(x).sum(), x, create_graph=True)
        assert type(gx.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::hardsigmoid_backward is not implemented"):
            gx.sum().backward()

"""Gradients made with create_graph=True, for every sample of the op table, against PyTorch.

For each float64 sample: `autograd.grad(outputs, inputs, v, create_graph=True, allow_unused=True)` in both
libraries. Each gradient must require grad, and have a grad_fn, exactly when PyTorch's does: relu's gradient
depends on x through its mask (PyTorch's threshold_backward kernel takes x: ThresholdBackwardBackward0), so it
requires grad, with a derivative of zero; maximum's is a `where` on a mask, which does not (NOTE [Fused
backward kernels] in dxdy/ops/_xp.py). Then a second `autograd.grad` of a random linear function of the
gradients that require grad, with respect to the inputs (and v), must give PyTorch's values: None where
PyTorch gives None, zeros where it gives zeros. Each sample runs with v a constant and with v requiring grad
(then a gradient that is v itself has no grad_fn, one made from v has one).
"""
import numpy as np
import pytest
import torch

import dxdy
from test_ops import F64_GRAD_CASES, SEED, call, _tensors, _cotangents, assert_same

# Where PyTorch's second derivative fails with an internal error, dxdy gives one (docs/decisions.md, "PyTorch
# bugs not reproduced"): embedding with no indices, layer_norm with a bias and no weight.
PYTORCH_FAILURES = ("cannot reshape tensor of 0 elements", "Expected a proper Tensor but got None")


def _grads(lib, outs, leaves, vs, v_requires_grad):
    v_tensors = [lib.tensor(v, requires_grad=v_requires_grad) for v in vs]
    grads = lib.autograd.grad(outs, leaves, v_tensors, create_graph=True, allow_unused=True)
    return grads, v_tensors


def _second(lib, grads, ws, wrt):
    total = sum((g * lib.tensor(w)).sum() for g, w in zip(grads, ws))
    return lib.autograd.grad(total, wrt, allow_unused=True, retain_graph=True)  # (the next run reuses the graph)


def _flags(g):
    return g.requires_grad, g.grad_fn is not None


@pytest.mark.parametrize("info, dtype, sample", F64_GRAD_CASES)
def test_create_graph_gradients_match_torch(info, dtype, sample):
    t_out, t_leaves = call(torch, info, sample)
    d_out, d_leaves = call(dxdy, info, sample)
    t_outs = [o for o in _tensors(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
    d_outs = [o for o, t in zip(_tensors(d_out), _tensors(t_out)) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_outs:
        return
    # (create_graph keeps the graph: both runs go through the same one)
    for v_requires_grad in (False, True):
        _check(info, dtype, sample, t_outs, t_leaves, d_outs, d_leaves, v_requires_grad)


def _check(info, dtype, sample, t_outs, t_leaves, d_outs, d_leaves, v_requires_grad):
    rng = np.random.default_rng(SEED + 2)
    vs = _cotangents(t_outs, rng)
    t_grads, t_vs = _grads(torch, t_outs, t_leaves, vs, v_requires_grad)
    d_grads, d_vs = _grads(dxdy, d_outs, d_leaves, vs, v_requires_grad)
    for i, (dg, tg) in enumerate(zip(d_grads, t_grads)):
        assert_same(dg, tg, info, dtype, grad=True, what=f"grad of input {i}")
        if tg is None:
            continue
        if tg is t_leaves[i] and info.name in ("cummax", "cummin"):
            # PyTorch's gradient of an empty input is that input itself; dxdy's is its own (docs/decisions.md)
            assert dg.numel() == 0 and dg is not d_leaves[i] and dg.requires_grad == v_requires_grad
            return
        assert _flags(dg) == _flags(tg), \
            f"v requires grad: {v_requires_grad}; grad of input {i}: (requires_grad, has grad_fn) {_flags(dg)} vs " \
            f"PyTorch's {_flags(tg)}"

    # The second derivative, through the gradients that require grad.
    live = [k for k, tg in enumerate(t_grads) if tg is not None and tg.requires_grad]
    if not live:
        return
    ws = [rng.standard_normal(tuple(t_grads[k].shape)) for k in live]
    t_wrt = list(t_leaves) + (t_vs if v_requires_grad else [])
    d_wrt = list(d_leaves) + (d_vs if v_requires_grad else [])
    second_of_dxdy = lambda: _second(dxdy, [d_grads[k] for k in live], ws, d_wrt)  # noqa: E731
    try:
        t_gg = _second(torch, [t_grads[k] for k in live], ws, t_wrt)
    except RuntimeError as e:
        if str(e).startswith(PYTORCH_FAILURES):
            second_of_dxdy()  # an answer, not an error
        elif info.gradgrad:
            with pytest.raises(RuntimeError):
                second_of_dxdy()
        # (An op-table row without second derivatives is one PyTorch has none of: dxdy's may exist, as cdist's.)
        return
    d_gg = second_of_dxdy()
    if not info.gradgrad:
        return
    t_gg = [g.new_zeros(g.shape) if g is not None and g._is_zerotensor() else g for g in t_gg]  # (lazy zeros)
    if info.name == "pow" and sample.name == "zero**tensor":
        # 0 ** y is 0 for y > 0: dxdy's second derivative in y is 0 where PyTorch's is 0 * log(0)^2 = NaN
        # (docs/decisions.md)
        assert np.isnan(t_gg[0].numpy()).all() and (d_gg[0].numpy() == 0).all()
        return
    if info.name == "sinc" and sample.name == "zero":
        # sinc''(0) = -pi^2/3: PyTorch's second derivatives are NaN at 0 (in x, and in v through sinc'(0)),
        # dxdy's the true values (test_gradgradcheck checks them with finite differences; docs/decisions.md).
        # Elsewhere they agree.
        for i, (dg, tg) in enumerate(zip(d_gg, t_gg)):
            nan = torch.isnan(tg)
            assert nan[0] and np.isfinite(dg.numpy()).all()
            t_gg[i] = torch.where(nan, torch.tensor(dg.numpy()), tg)
    for i, (dg, tg) in enumerate(zip(d_gg, t_gg)):
        assert_same(dg, tg, info, dtype, grad=True, what=f"v requires grad: {v_requires_grad}; second derivative in "
                                                         f"input {i}")


def test_the_gradient_of_a_mask_depends_on_its_input():
    # The example: relu's first gradient requires grad, and the second derivative is zeros.
    for L in (torch, dxdy):
        x = L.tensor([-3.0, 2.0], dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(L.relu(x), [x], L.tensor([1.0, 1.0], dtype=L.float64), create_graph=True)
        assert g.requires_grad and g.grad_fn.name() == "ThresholdBackwardBackward0"
        (gg,) = L.autograd.grad((g * 0.25).sum(), [x], allow_unused=True)
        assert gg.tolist() == [0.0, 0.0]

"""Gradients made with create_graph=True, for every sample of the op table, against PyTorch.

For each float64 sample: `autograd.grad(outputs, inputs, v, create_graph=True, allow_unused=True)` in
both libraries; each gradient must require grad, and have a grad_fn, exactly when PyTorch's does (the
gradient of relu depends on x through its mask: PyTorch's ThresholdBackwardBackward0 takes x, so the
gradient requires grad even though its derivative in x is zero; maximum's gradient is a `where` on a
mask, which does not). Then a second `autograd.grad` of a random linear function of the gradients that
require grad, with respect to the inputs and to v, must give PyTorch's values, None where PyTorch gives
None and zeros where it gives zeros. Each sample runs twice: v a constant, and v requiring grad.
"""
import numpy as np
import pytest
import torch

import dxdy
from test_ops import F64_GRAD_CASES, SEED, call, _tensors, _cotangents, assert_same


def _grads(lib, outs, leaves, vs, v_requires_grad):
    v_tensors = [lib.tensor(v, requires_grad=v_requires_grad) for v in vs]
    grads = lib.autograd.grad(outs, leaves, v_tensors, create_graph=True, allow_unused=True)
    return grads, v_tensors


def _second(lib, grads, ws, wrt):
    total = sum((g * lib.tensor(w)).sum() for g, w in zip(grads, ws))
    return lib.autograd.grad(total, wrt, allow_unused=True)


@pytest.mark.parametrize("v_requires_grad", [False, True], ids=["v-constant", "v-requires-grad"])
@pytest.mark.parametrize("info, dtype, sample", F64_GRAD_CASES)
def test_create_graph_gradients_match_torch(info, dtype, sample, v_requires_grad):
    t_out, t_leaves = call(torch, info, sample)
    d_out, d_leaves = call(dxdy, info, sample)
    t_outs = [o for o in _tensors(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
    d_outs = [o for o, t in zip(_tensors(d_out), _tensors(t_out)) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_outs:
        return
    rng = np.random.default_rng(SEED + 2)
    vs = _cotangents(t_outs, rng)
    t_grads, t_vs = _grads(torch, t_outs, t_leaves, vs, v_requires_grad)
    d_grads, d_vs = _grads(dxdy, d_outs, d_leaves, vs, v_requires_grad)
    for i, (dg, tg) in enumerate(zip(d_grads, t_grads)):
        assert_same(dg, tg, info, dtype, grad=True, what=f"grad of input {i}")
        if tg is not None:
            d_flags, t_flags = (dg.requires_grad, dg.grad_fn is not None), (tg.requires_grad, tg.grad_fn is not None)
            assert d_flags == t_flags, f"grad of input {i}: (requires_grad, has grad_fn) {d_flags} vs PyTorch's {t_flags}"

    # The second derivative, through the gradients that require grad.
    live = [k for k, tg in enumerate(t_grads) if tg is not None and tg.requires_grad]
    if not live:
        return
    ws = [rng.standard_normal(tuple(t_grads[k].shape)) for k in live]
    t_wrt = list(t_leaves) + (t_vs if v_requires_grad else [])
    d_wrt = list(d_leaves) + (d_vs if v_requires_grad else [])
    try:
        t_gg = _second(torch, [t_grads[k] for k in live], ws, t_wrt)
    except RuntimeError as e:  # a double backward PyTorch does not implement
        with pytest.raises(RuntimeError):
            _second(dxdy, [d_grads[k] for k in live], ws, d_wrt)
        assert "not implemented" in str(e) or "not supported" in str(e), e
        return
    t_gg = [g.new_zeros(g.shape) if g is not None and g._is_zerotensor() else g for g in t_gg]  # (PyTorch's lazy zeros)
    d_gg = _second(dxdy, [d_grads[k] for k in live], ws, d_wrt)
    for i, (dg, tg) in enumerate(zip(d_gg, t_gg)):
        assert_same(dg, tg, info, dtype, grad=True, what=f"second derivative in input {i}")

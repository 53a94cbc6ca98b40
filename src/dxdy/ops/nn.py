"""Neural-network ops: activations, softmax, losses, linear, dropout.

The public names live in dxdy.nn.functional; these are the rows with their rules.
"""
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, wrap, _wrap_dim
from ._op import op, unary, name_ops

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


# -- softmax --------------------------------------------------------------------------------------
def _softmax_forward(xp, x, *, dim):
    e = xp.exp(x - xp.max(x, axis=dim, keepdims=True)) if x.size else x
    return e / xp.sum(e, axis=dim, keepdims=True)


def _log_softmax_forward(xp, x, *, dim):
    if not x.size:
        return x
    m = xp.max(x, axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    shifted = x - m
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))


_softmax = op(_softmax_forward,
              vjp=lambda xp, g, out, dim: out * (g - xp.sum(g * out, axis=dim, keepdims=True)),
              node="SoftmaxBackward0")
_log_softmax = op(_log_softmax_forward,
                  vjp=lambda xp, g, out, dim: g - xp.exp(out) * xp.sum(g, axis=dim, keepdims=True),
                  node="LogSoftmaxBackward0")


def _softmax_dim(name, x, dim):
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                      f"dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if x._data.ndim in (0, 1, 3) else 1
    return _wrap_dim(dim, x._data.ndim) if x._data.ndim else 0


def _float_input(x, dtype):
    if dtype is not None:
        return x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"\"softmax_lastdim_kernel_impl\" not implemented for '{x.dtype.name.capitalize()}'")
    return x


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    x = _float_input(input, dtype)
    d = _softmax_dim("softmax", x, dim)
    if x._data.ndim == 0:
        return _softmax(x.reshape(1), dim=0).reshape(())
    return _softmax(x, dim=d)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along dim, computed stably."""
    x = _float_input(input, dtype)
    d = _softmax_dim("log_softmax", x, dim)
    if x._data.ndim == 0:
        return _log_softmax(x.reshape(1), dim=0).reshape(())
    return _log_softmax(x, dim=d)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return softmax(-input, dim, dtype=dtype)


# -- activations ------------------------------------------------------------------------------------
def _gelu_forward(xp, x, *, approximate):
    if approximate == "tanh":
        return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1 + xp.erf(x * _SQRT_HALF))


def _gelu_vjp(xp, g, x, approximate):
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)
        t = xp.tanh(inner)
        d_inner = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
    cdf = 0.5 * (1 + xp.erf(x * _SQRT_HALF))
    pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
    return g * (cdf + x * pdf)


_gelu = op(_gelu_forward, vjp=_gelu_vjp, node="GeluBackward0")


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi the normal CDF); approximate='tanh' for the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh.")
    return _gelu(input, approximate=approximate)


silu = unary(lambda xp, x: x * xp.sigmoid(x),
             d=lambda xp, x: xp.sigmoid(x) * (1 + x * (1 - xp.sigmoid(x))), node="SiluBackward0")


def _softplus_forward(xp, x, *, beta, threshold):
    bx = beta * x
    return xp.where(bx > threshold, x, xp.log1p(xp.exp(xp.minimum(bx, threshold))) / beta)


_softplus = op(_softplus_forward,
               vjp=lambda xp, g, x, beta, threshold: xp.where(beta * x > threshold, g, g * xp.sigmoid(beta * x)),
               node="SoftplusBackward0")


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    return _softplus(input, beta=beta, threshold=threshold)


_leaky_relu = op(lambda xp, x, *, negative_slope: xp.where(x > 0, x, x * negative_slope),
                 vjp=lambda xp, g, x, negative_slope: xp.where(x > 0, g, g * negative_slope),
                 node="LeakyReluBackward0")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    out = _leaky_relu(input, negative_slope=negative_slope)
    return _inplace_result(input, out, inplace)


_elu = op(lambda xp, x, *, alpha: xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))),
          vjp=lambda xp, g, x, out, alpha: xp.where(x > 0, g, g * (out + alpha)), node="EluBackward0")


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _inplace_result(input, _elu(input, alpha=alpha), inplace)


def _inplace_result(input, out, inplace):
    if not inplace:
        return out
    from .inplace import copy_
    return copy_(input, out)


# -- losses ----------------------------------------------------------------------------------------
def _reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='mean' instead.",
                  UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_target_size(name, input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      f"This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      f"same size.", UserWarning, stacklevel=3)


def _mse_forward(xp, x, t, *, reduction):
    d = (x - t) * (x - t)
    return xp.asarray(d if reduction == "none" else xp.mean(d) if reduction == "mean" else xp.sum(d))


def _mse_vjp(sign):
    def rule(xp, g, x, t, reduction):
        scale = 2.0 / max(np.prod(np.broadcast_shapes(x.shape, t.shape)), 1) if reduction == "mean" else 2.0
        return sign * scale * g * (x - t)
    return rule


_mse = op(_mse_forward, vjp=(_mse_vjp(1), _mse_vjp(-1)), node="MseLossBackward0", broadcasts=True)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean (or sum) of squared differences."""
    reduction = _reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_target_size("mse_loss", input, target)
    from ._op import as_operands
    x, t = as_operands(input, target)
    if weight is not None:
        return _reduce(weight * (x - t) ** 2, reduction)
    return _mse(x, t, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean (or sum) of absolute differences."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_target_size("l1_loss", input, target)
    loss = (input - target).abs()
    return _reduce(loss if weight is None else weight * loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    from .elementwise import where
    reduction = _reduction(size_average, reduce, reduction)
    d = (input - target).abs()
    loss = d - 0.5 * beta if beta == 0 else where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    from .elementwise import where
    d = (input - target).abs()
    return _reduce(where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


def _nll_forward(xp, x, *, target, weight, ignore_index, reduction):
    picked, w = _nll_pick(x, target, weight, ignore_index)
    loss = -picked * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return xp.asarray(xp.sum(loss))
    return xp.asarray(xp.sum(loss) / xp.sum(w))


def _nll_pick(x, target, weight, ignore_index):
    # x is (N, C, ...) and target (N, ...): pick x[n, target[n, ...], ...] and its weight.
    valid = target != ignore_index
    t = np.where(valid, target, 0)
    picked = np.take_along_axis(x, np.expand_dims(t, 1), axis=1).squeeze(1)
    w = (weight[t] if weight is not None else np.ones(t.shape, x.dtype)) * valid
    return picked, w.astype(x.dtype)


def _nll_vjp(xp, g, x_shape, target, weight, ignore_index, reduction):
    valid = target != ignore_index
    t = np.where(valid, target, 0)
    w = (weight[t] if weight is not None else np.ones(t.shape)) * valid
    if reduction == "mean":
        w = w / w.sum()
    pos = list(np.indices(t.shape, sparse=True))
    key = (pos[0], t) + tuple(pos[1:])
    return xp.index_add_zeros(x_shape, g.dtype, key, -g * xp.astype(xp.asarray(w), g.dtype))


_nll = op(_nll_forward, vjp=_nll_vjp, node="NllLossBackward0")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log-likelihood of class indices under log-probabilities `input` (N, C, ...)."""
    reduction = _reduction(size_average, reduce, reduction)
    x, t = input, target
    if t._data.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found {t.dtype.name.capitalize()}")
    squeeze = x._data.ndim == 1
    if squeeze:
        x, t = x.reshape(1, -1), t.reshape(1)
    if x._data.ndim < 2:
        raise ValueError(f"Expected 2 or more dimensions (got {x._data.ndim})")
    if x._data.shape[0] != t._data.shape[0]:
        raise ValueError(f"Expected input batch_size ({x._data.shape[0]}) to match target batch_size "
                         f"({t._data.shape[0]}).")
    n_classes = x._data.shape[1]
    ta = t._data.astype(np.int64)
    bad = (ta != ignore_index) & ((ta < 0) | (ta >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(ta[bad][0])} is out of bounds.")
    w = None if weight is None else weight._data
    out = _nll(x, target=ta, weight=w, ignore_index=ignore_index, reduction=reduction)
    return out.reshape(()) if squeeze and reduction == "none" else out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """log_softmax over dim 1 (dim 0 for a 1-D input) then nll_loss; targets are class indices or probabilities."""
    reduction = _reduction(size_average, reduce, reduction)
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    if target._data.dtype.kind == "f":
        return _soft_target_ce(logp, target, weight, reduction, label_smoothing, class_dim)
    if label_smoothing == 0:
        return nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    n_classes = input._data.shape[class_dim]
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    valid = wrap((target._data != ignore_index).astype(logp._data.dtype))
    per_class = logp if weight is None else logp * weight.reshape((-1,) + (1,) * (logp.ndim - class_dim - 1))
    smooth = -per_class.sum(class_dim) * valid
    if reduction == "mean":
        t = np.where(target._data != ignore_index, target._data, 0)
        denom = (wrap(weight._data[t]) * valid).sum() if weight is not None else valid.sum()
        smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + (label_smoothing / n_classes) * smooth


def _soft_target_ce(logp, target, weight, reduction, label_smoothing, class_dim):
    n_classes = logp._data.shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        terms = terms * weight.reshape((-1,) + (1,) * (logp.ndim - class_dim - 1))
    loss = -terms.sum(class_dim)
    if reduction == "mean":
        # PyTorch divides by the batch size here, not by the number of elements.
        return loss.sum() / logp._data.shape[0] if logp._data.ndim > 1 else loss
    return _reduce(loss, reduction)


def _bce_forward(xp, x, t, *, weight, reduction):
    # PyTorch clamps each log at -100 so that a saturated probability gives a finite loss.
    loss = -(t * xp.maximum(xp.log(x), -100) + (1 - t) * xp.maximum(xp.log1p(-x), -100))
    if weight is not None:
        loss = loss * weight
    return xp.asarray(loss if reduction == "none" else xp.mean(loss) if reduction == "mean" else xp.sum(loss))


def _bce_scale(xp, g, x, t, weight, reduction):
    s = g / max(int(np.prod(x.shape)), 1) if reduction == "mean" else g
    return s * xp.asarray(weight) if weight is not None else s


def _bce_vjp_x(xp, g, x, t, weight, reduction):
    return _bce_scale(xp, g, x, t, weight, reduction) * (x - t) / xp.maximum((1 - x) * x, 1e-12)


def _bce_vjp_t(xp, g, x, t, weight, reduction):
    return _bce_scale(xp, g, x, t, weight, reduction) * (xp.maximum(xp.log1p(-x), -100) - xp.maximum(xp.log(x), -100))


_bce = op(_bce_forward, vjp=(_bce_vjp_x, _bce_vjp_t), node="BinaryCrossEntropyBackward0")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1]."""
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    a = input._data
    if a.size and (np.nanmin(a) < 0 or np.nanmax(a) > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None if weight is None else np.broadcast_to(weight._data, a.shape)
    return _bce(input, target, weight=w, reduction=reduction)


def _bce_logits_forward(xp, x, t, *, weight, pos_weight, reduction):
    # (1 - t) x + (1 + (p - 1) t) softplus(-x), with softplus(-x) = log1p(exp(-|x|)) + max(-x, 0)
    sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
    loss = (1 - t) * x + (sp if pos_weight is None else (1 + (pos_weight - 1) * t) * sp)
    if weight is not None:
        loss = loss * weight
    return xp.asarray(loss if reduction == "none" else xp.mean(loss) if reduction == "mean" else xp.sum(loss))


def _bce_logits_vjp_x(xp, g, x, t, weight, pos_weight, reduction):
    s = xp.sigmoid(x)
    if pos_weight is None:
        d = s - t
    else:
        p = xp.asarray(pos_weight)
        d = s * (p * t + 1 - t) - p * t
    return _bce_scale(xp, g, x, t, weight, reduction) * d


def _bce_logits_vjp_t(xp, g, x, t, weight, pos_weight, reduction):
    sp_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)   # softplus(-x)
    p = 1 if pos_weight is None else xp.asarray(pos_weight)
    return _bce_scale(xp, g, x, t, weight, reduction) * (p * sp_neg - (sp_neg + x))


_bce_logits = op(_bce_logits_forward, vjp=(_bce_logits_vjp_x, _bce_logits_vjp_t),
                 node="BinaryCrossEntropyWithLogitsBackward0")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross entropy of sigmoid(input), computed without overflow."""
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    shape = input._data.shape
    w = None if weight is None else np.broadcast_to(weight._data, shape)
    pw = None if pos_weight is None else np.broadcast_to(pos_weight._data, shape)
    return _bce_logits(input, target, weight=w, pos_weight=pw, reduction=reduction)


# -- linear and dropout ---------------------------------------------------------------------------
_addmm = op(lambda xp, b, x, w: b + xp.matmul(x, xp.matrix_transpose(w)),
            vjp=(lambda xp, g, b, x, w: xp.sum_to_size(g, b.shape),
                 lambda xp, g, b, x, w: xp.matmul(g, w),
                 lambda xp, g, b, x, w: xp.matmul(xp.matrix_transpose(g), x)),
            node="AddmmBackward0")


def linear(input, weight, bias=None):
    """input @ weight.T + bias."""
    from .linalg import matmul
    if input._data.ndim == 2 and weight._data.ndim == 2 and bias is not None and \
            input._data.shape[1] == weight._data.shape[1] and bias._data.ndim <= 1 and \
            input._data.dtype == weight._data.dtype == bias._data.dtype:
        return _addmm(bias, input, weight)
    out = matmul(input, weight.t() if weight._data.ndim == 2 else weight)
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    from .linalg import einsum
    out = einsum("bi,oij,bj->bo", input1, weight, input2)
    return out if bias is None else out + bias


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p); identity when not training."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from ..creation import _rng
    if p == 1:
        mask = np.zeros(input._data.shape, input._data.dtype)
    else:
        mask = (_rng(None).random(input._data.shape) >= p).astype(input._data.dtype) / (1 - p)
    out = input * wrap(mask)
    return _inplace_result(input, out, inplace)


name_ops(globals())

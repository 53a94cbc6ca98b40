"""Neural-network ops: activations, softmax, losses, linear, dropout.

The public names live in dxdy.nn.functional; these are the rows with their rules.
"""
import math
import warnings

import numpy as np

from ..dtypes import type_name
from ..creation import dtype_arg, _rng
from ..mode import state as _grad_mode
from ..tensor import Tensor, wrap, _wrap_dim
from ._op import op, unary, binary, name_ops
from .out import write_out
from .promotion import as_operands, broadcast_shape
from ._xp import numpy_ns, sparse_indices, int_range, SMALL
from .elementwise import _not_implemented, _floats_only, _not_differentiable as _no_derivative
from .inplace import check_inplace, commit
from .linalg import matmul, einsum
from .reduce import norm
from .shape import broadcast_tensors, expanded_shape

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


# -- softmax --------------------------------------------------------------------------------------
# (The reductions are ufunc.reduce calls, column by column over a short last axis: numpy_ns.reduce_axis.)
def _softmax_forward(xp, x, *, dim):
    e = xp.exp(x - xp.reduce_axis(xp.maximum, x, dim, keepdims=True)) if x.size else x
    return xp.asarray(e / xp.reduce_axis(xp.add, e, dim, keepdims=True), order="C")  # contiguous, as PyTorch's


def _log_softmax_forward(xp, x, *, dim):
    # No guard against an infinite maximum, as in PyTorch: a slice holding +inf (or only -inf) is all NaN.
    if not x.size:
        return x
    shifted = x - xp.reduce_axis(xp.maximum, x, dim, keepdims=True)
    return xp.asarray(shifted - xp.log(xp.reduce_axis(xp.add, xp.exp(shifted), dim, keepdims=True)), order="C")


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
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' (position 2) must be int, not {type_name(dim)}")
    d = _wrap_dim(dim, x._data.ndim)
    return d if x._data.ndim else None  # a 0-d tensor: reduce over all (its one element)


def _float_input(name, x, dim, dtype):
    if dtype is not None:
        x = x.to(dtype_arg(name, dtype))
    if x._data.dtype.kind != "f" and x._data.size:  # (nothing to do, no kernel to refuse, for no elements)
        last = dim is None or dim == x._data.ndim - 1
        raise NotImplementedError(f"\"{name}_{'lastdim_' if last else ''}kernel_impl\" not implemented for "
                                  f"'{x.dtype.type_name}'")
    return x


def softmax(input, dim=None, _stacklevel=3, dtype=None, *, out=None):
    """exp(x) / sum(exp(x)) along dim, computed stably."""
    d = _softmax_dim("softmax", input, dim)
    x = _float_input("softmax", input, d, dtype)
    return write_out(_softmax(x, dim=d) if x._data.dtype.kind == "f" else wrap(x._data.copy()), out)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None, *, out=None):
    """x - logsumexp(x) along dim, computed stably."""
    d = _softmax_dim("log_softmax", input, dim)
    x = _float_input("log_softmax", input, d, dtype)
    return write_out(_log_softmax(x, dim=d) if x._data.dtype.kind == "f" else wrap(x._data.copy()), out)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    return softmax(-input, dim, dtype=dtype)


# -- activations ------------------------------------------------------------------------------------
def _gelu_forward(xp, x, *, approximate):
    if x.dtype.kind != "f":
        raise _not_implemented("GeluKernelImpl", x)
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
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _gelu(input, approximate=approximate)


_silu_input = _floats_only("silu_cpu")
_silu = unary(lambda xp, x: _silu_input(x) * xp.sigmoid(x),
              d=lambda xp, x: xp.sigmoid(x) * (1 + x * (1 - xp.sigmoid(x))), node="SiluBackward0")


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _inplace_result(input, _silu(input), inplace)


_softplus_input = _floats_only("softplus_cpu")


def _softplus_forward(xp, x, *, beta, threshold):
    bx = beta * _softplus_input(x)
    return xp.where(bx > threshold, x, xp.log1p(xp.exp(xp.minimum(bx, threshold))) / beta)


_softplus = op(_softplus_forward,
               vjp=lambda xp, g, x, beta, threshold: xp.where(beta * x > threshold, g, g * xp.sigmoid(beta * x)),
               node="SoftplusBackward0")


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    return _softplus(input, beta=beta, threshold=threshold)


_leaky_relu_input = _floats_only("leaky_relu_cpu")


def _leaky_relu_forward(xp, x, *, negative_slope):
    return xp.where(_leaky_relu_input(x) > 0, x, x * negative_slope)


_leaky_relu = op(_leaky_relu_forward,
                 vjp=lambda xp, g, x, negative_slope:
                     xp.fused("leaky_relu_backward", xp.where(x > 0, g, g * negative_slope), x),
                 node="LeakyReluBackward0")


def _leaky_relu_result_vjp(xp, g, out, negative_slope):
    if negative_slope < 0:
        raise RuntimeError(
            "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
            "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
            "version instead.")
    return xp.fused("leaky_relu_backward", xp.where(out > 0, g, g * negative_slope), out)


# In place, x is gone: the gradient comes from the result (whose sign is x's for a slope >= 0), as in PyTorch.
_leaky_relu_ = op(_leaky_relu_forward, vjp=_leaky_relu_result_vjp, node="LeakyReluBackward1")


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    if inplace:
        return _inplace_result(input, _leaky_relu_(input, negative_slope=negative_slope), inplace)
    return _leaky_relu(input, negative_slope=negative_slope)


def _elu_forward(xp, x, *, alpha):
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))


# The rule asks for x only, as PyTorch's node saves it: changing the result in place does not spoil backward.
# (x <= 0 picks the exponential side, as in PyTorch: a NaN input gets the gradient g.)
_elu = op(_elu_forward,
          vjp=lambda xp, g, x, alpha: xp.where(x <= 0, g * alpha * xp.exp(xp.minimum(x, 0)), g), node="EluBackward0")


def _elu_result_vjp(xp, g, out, alpha):
    if alpha < 0:
        raise RuntimeError(
            "In-place elu backward calculation is triggered with a negative slope which is not supported. This is "
            "caused by calling in-place forward function with a negative slope, please call out-of-place version "
            "instead.")
    return xp.where(out <= 0, g * (out + alpha), g)  # alpha e^x = out + alpha where x <= 0


_elu_ = op(_elu_forward, vjp=_elu_result_vjp, node="EluBackward1")  # in place: from the result, as PyTorch


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    _elu_input(input)
    return _inplace_result(input, (_elu_ if inplace else _elu)(input, alpha=alpha), inplace)


_hardtanh = op(lambda xp, x, *, min_val, max_val: xp.clip(x, min_val, max_val),
               # Masked where x <= min_val or x >= max_val: a NaN input gets the gradient, and an infinite or
               # NaN gradient gives 0 outside (PyTorch's hardtanh_backward).
               vjp=lambda xp, g, x, min_val, max_val:
                   xp.fused("hardtanh_backward", xp.where_or_zero(~((x <= min_val) | (x >= max_val)), g), x),
               node="HardtanhBackward0")


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val]; the gradient is 1 strictly inside, 0 elsewhere."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _inplace_result(input, _hardtanh(input, min_val=min_val, max_val=max_val), inplace)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _softplus_stable(xp, x):
    return xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(x, 0)  # log(1 + e^x) without overflow


_logsigmoid_input = _floats_only("log_sigmoid_cpu")
# (order="C": the result is contiguous, as PyTorch's)
logsigmoid = unary(lambda xp, x: xp.asarray(-_softplus_stable(xp, -_logsigmoid_input(x)), order="C"),
                   d=lambda xp, x: xp.sigmoid(-x), node="LogSigmoidBackward0")


def _mish_d(xp, x):
    t = xp.tanh(_softplus_stable(xp, x))
    return t + x * xp.sigmoid(x) * (1 - t * t)


_mish_input = _floats_only("mish_cpu")
_mish = unary(lambda xp, x: _mish_input(x) * xp.tanh(_softplus_stable(xp, x)), d=_mish_d, node="MishBackward0")


def mish(input, inplace=False):
    """x tanh(softplus(x))."""
    return _inplace_result(input, _mish(input), inplace)


def _inplace_result(input, out, inplace):
    """`out` written into input, whose history it takes (as the in-place ops of ops/inplace.py do)."""
    if not inplace:
        return out
    check_inplace(input)
    return commit(input, out)


# -- threshold, celu, selu, shrinks, hard sigmoid and swish -----------------------------------------------
# NOTE [Activations in place]
# PyTorch's in-place celu_ and selu_ (like elu_ and leaky_relu_) differentiate from the result, since the
# input is gone: CeluBackward1, EluBackward1. Its threshold_ (ThresholdBackward1), and its in-place hardsigmoid,
# hardswish, silu and mish, keep the input as it was and use the out-of-place rule, which is what
# _inplace_result gives (ops/inplace.py copies a saved input before overwriting it).
def _threshold_forward(xp, x, *, threshold, value):
    return xp.asarray(xp.where(x <= threshold, value, x), x.dtype)


# Masked (NOTE [Masked gradients] in elementwise.py): the gradient passes unless x <= threshold, so a NaN input
# gets it, and an infinite g gives 0 where it is cut.
def _threshold_vjp(xp, g, x, threshold):
    return xp.fused("threshold_backward", xp.where_or_zero(~(x <= threshold), g), x)


_threshold = op(_threshold_forward, vjp=_threshold_vjp, node="ThresholdBackward0")
# In place, PyTorch's node has another name but the same rule, on the input as it was (not on the result: a
# value above the threshold still stops the gradient).
_threshold_ = op(_threshold_forward, vjp=_threshold_vjp, node="ThresholdBackward1")


def threshold(input, threshold, value, inplace=False):
    """value where input <= threshold, else input."""
    if input._data.dtype.kind == "b":
        raise _not_implemented("threshold_cpu", input._data)
    if input._data.dtype.kind in "iu":  # an integer input takes the numbers as integers, as PyTorch casts them
        threshold, value = int(threshold), int(value)
    return _inplace_result(input, (_threshold_ if inplace else _threshold)(input, threshold=threshold, value=value),
                           inplace)


_threshold_fn = threshold


def threshold_(input, threshold, value):
    return _threshold_fn(input, threshold, value, inplace=True)


# ELU's general form, PyTorch's: scale * x where x > 0, else alpha * scale * (exp(x * input_scale) - 1).
# CELU is alpha, 1, 1 / alpha; SELU fixed alpha and scale. x <= 0 picks the exponential side (NaN: the linear).
def _elu3_forward(xp, x, *, alpha, scale, input_scale):
    negative = alpha * scale * xp.expm1(xp.minimum(x, 0) * input_scale)
    return xp.where(x <= 0, negative, x * scale if scale != 1 else x)


def _elu3_vjp(xp, g, x, alpha, scale, input_scale):
    return xp.where(x <= 0, g * (input_scale * alpha * scale) * xp.exp(xp.minimum(x, 0) * input_scale),
                    g * scale if scale != 1 else g)


def _elu3_result_vjp(xp, g, out, alpha, scale, input_scale):
    if alpha < 0:
        raise RuntimeError(
            "In-place elu backward calculation is triggered with a negative slope which is not supported. This is "
            "caused by calling in-place forward function with a negative slope, please call out-of-place version "
            "instead.")
    # alpha scale input_scale e^(x input_scale) = input_scale (out + alpha scale) where x <= 0
    return xp.where(out <= 0, g * input_scale * (out + alpha * scale), g * scale if scale != 1 else g)


_celu = op(_elu3_forward, vjp=_elu3_vjp, node="CeluBackward0")
_celu_ = op(_elu3_forward, vjp=_elu3_result_vjp, node="CeluBackward1")
_selu = op(_elu3_forward, vjp=_elu3_vjp, node="EluBackward0")
_selu_ = op(_elu3_forward, vjp=_elu3_result_vjp, node="EluBackward1")
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elu_input(input):
    if input._data.dtype.kind != "f":
        raise _not_implemented("elu_cpu", input._data)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _elu_input(input)
    row = _celu_ if inplace else _celu
    return _inplace_result(input, row(input, alpha=float(alpha), scale=1.0, input_scale=1.0 / alpha), inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """scale * (x where x > 0, else alpha * (exp(x) - 1)), with SELU's fixed alpha and scale."""
    _elu_input(input)
    row = _selu_ if inplace else _selu
    return _inplace_result(input, row(input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0), inplace)


def selu_(input):
    return selu(input, inplace=True)


def _shrunk(x, lambd):
    return (x >= -lambd) & (x <= lambd)


def _hardshrink_forward(xp, x, *, lambd):
    return xp.where(_shrunk(x, lambd), 0, x)


def _softshrink_forward(xp, x, *, lambd):
    # x * 0 in the middle, as PyTorch's kernel: a NaN stays NaN
    return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0))


# Masked: 0 where |x| <= lambd, even for an infinite g; a NaN input gets g (PyTorch's shrink backward).
_hardshrink = op(_hardshrink_forward,
                 vjp=lambda xp, g, x, lambd: xp.fused("hardshrink_backward", xp.where_or_zero(~_shrunk(x, lambd), g),
                                                      x),
                 node="HardshrinkBackward0")
_softshrink = op(_softshrink_forward,
                 vjp=lambda xp, g, x, lambd: xp.fused("softshrink_backward", xp.where_or_zero(~_shrunk(x, lambd), g),
                                                      x),
                 node="SoftshrinkBackward0")


def hardshrink(input, lambd=0.5):
    """0 where |x| <= lambd, else x."""
    if input._data.dtype.kind != "f":
        raise _not_implemented("hardshrink_cpu", input._data)
    return _hardshrink(input, lambd=lambd)


_FLOAT_MAX = {"float16": "65504", "float32": "3.40282e+38", "float64": "1.79769e+308"}


def softshrink(input, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    if input._data.dtype.kind != "f":
        raise _not_implemented("softshrink_check", input._data)
    if not lambd >= 0:
        raise RuntimeError(f"lambda must be in range [0, {_FLOAT_MAX.get(input._data.dtype.name, '')}] for input "
                           f"dtype {input.dtype.type_name}, but found {lambd:g}")
    return _softshrink(input, lambd=lambd)


# PyTorch's hardsigmoid backward scales by 1/6 rounded to float32, in double too.
_ONE_SIXTH = float(np.float32(1.0 / 6.0))
_hardsigmoid_input = _floats_only("hardsigmoid_cpu")
_hardswish_input = _floats_only("hardswish_cpu")
# Masked outside (-3, 3), where the derivative is 0 (a NaN input too).


def _hardsigmoid_gradient(xp, g, x):
    return xp.where_or_zero((x > -3) & (x < 3), g * _ONE_SIXTH)


# PyTorch has no derivative of hardsigmoid's backward: under create_graph its gradient comes from a node that
# refuses a second backward, as here.
_hardsigmoid_backward = binary(_hardsigmoid_gradient, vjp=(_no_derivative("hardsigmoid_backward"),
                                                           _no_derivative("hardsigmoid_backward")),
                               node="NotImplemented")
_hardsigmoid = unary(
    lambda xp, x: xp.minimum(xp.maximum(_hardsigmoid_input(x) + 3, 0), 6) / 6,
    vjp=lambda xp, g, x: _hardsigmoid_gradient(xp, g, x) if xp is numpy_ns else _hardsigmoid_backward(g, x),
    jvp=_hardsigmoid_gradient, node="HardsigmoidBackward0")


def _hardswish_gradient(xp, g, x):
    # d/dx = 0 for x <= -3 (masked), x / 3 + 1/2 inside, 1 from 3 on (and for NaN), as PyTorch's.
    return xp.where_or_zero(~(x <= -3), xp.where(x < 3, g * (x / 3 + 0.5), g))


_hardswish = unary(lambda xp, x: _hardswish_input(x) * xp.minimum(xp.maximum(x + 3, 0), 6) / 6,
                   vjp=_hardswish_gradient, jvp=_hardswish_gradient, node="HardswishBackward0")


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _inplace_result(input, _hardsigmoid(input), inplace)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _inplace_result(input, _hardswish(input), inplace)


# -- losses ----------------------------------------------------------------------------------------
def _tensors(fn, *named):
    """The tensor arguments of `fn` (None allowed after the first two), or PyTorch's TypeError for a non-tensor."""
    values = []
    for position, (name, v) in enumerate(named, 1):
        if not isinstance(v, Tensor) and not (v is None and position > 2):
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type_name(v)}")
        values.append(v)
    return tuple(values)


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


def _operands(input, target):
    """Input and target in one dtype and, as PyTorch's functional losses have them, one shape.

    Expanding first keeps the gradients right: a loss's rules see equal shapes, and the
    expansions sum the gradients back to each operand's shape (a reduced loss has a 0-d
    result, so the engine's summing to broadcast shapes cannot tell what to sum).
    """
    x, t = as_operands(input, target)
    return broadcast_tensors(x, t) if x._data.shape != t._data.shape else (x, t)


def _mse_forward(xp, x, t, *, reduction):
    d = (x - t) * (x - t)
    return xp.asarray(d if reduction == "none" else xp.mean(d) if reduction == "mean" else xp.sum(d))


def _mse_vjp(sign):
    def rule(xp, g, x, t, reduction):
        scale = 2.0 / max(math.prod(np.broadcast_shapes(x.shape, t.shape)), 1) if reduction == "mean" else 2.0
        return sign * scale * g * (x - t)
    return rule


_mse = op(_mse_forward, vjp=(_mse_vjp(1), _mse_vjp(-1)), node="MseLossBackward0", broadcasts=True)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean (or sum) of squared differences."""
    reduction = _reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_target_size("mse_loss", input, target)
    x, t = _operands(input, target)
    if weight is not None:
        return _weighted(weight * (x - t) ** 2, weight, input, reduction)
    return _mse(x, t, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean (or sum) of absolute differences."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_target_size("l1_loss", input, target)
    loss = (input - target).abs()
    return _reduce(loss, reduction) if weight is None else _weighted(weight * loss, weight, input, reduction)


def _weighted(loss, weight, input, reduction):
    """A weighted loss of l1_loss or mse_loss, reduced as PyTorch does: its mean divides by the weights' sum."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


def _mean_scale(x, t, reduction):
    """The factor a mean reduction puts on each element's gradient (1 for sum and none)."""
    return 1.0 / max(math.prod(np.broadcast_shapes(np.shape(x), np.shape(t))), 1) if reduction == "mean" else 1.0


def _reduced(xp, loss, reduction):
    return xp.asarray(loss if reduction == "none" else xp.mean(loss) if reduction == "mean" else xp.sum(loss))


def _smooth_l1_forward(xp, x, t, *, beta, reduction):
    d = xp.abs(x - t)
    return _reduced(xp, xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def _smooth_l1_vjp(sign):
    def rule(xp, g, x, t, beta, reduction):
        diff = x - t
        return sign * _mean_scale(x, t, reduction) * g * xp.where(xp.abs(diff) < beta, diff / beta, xp.sign(diff))
    return rule


def _huber_forward(xp, x, t, *, delta, reduction):
    d = xp.abs(x - t)
    return _reduced(xp, xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


def _huber_vjp(sign):
    def rule(xp, g, x, t, delta, reduction):
        diff = x - t
        return sign * _mean_scale(x, t, reduction) * g * xp.where(xp.abs(diff) < delta, diff, delta * xp.sign(diff))
    return rule


_smooth_l1 = op(_smooth_l1_forward, vjp=(_smooth_l1_vjp(1), _smooth_l1_vjp(-1)), node="SmoothL1LossBackward0",
                broadcasts=True)
_huber = op(_huber_forward, vjp=(_huber_vjp(1), _huber_vjp(-1)), node="HuberLossBackward0", broadcasts=True)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target); the l1 loss for beta 0."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    _check_target_size("smooth_l1_loss", input, target)
    x, t = _operands(input, target)
    return _smooth_l1(x, t, beta=float(beta), reduction=reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target)."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_target_size("huber_loss", input, target)
    x, t = _operands(input, target)
    if weight is not None:
        return _reduce(weight * _huber(x, t, delta=float(delta), reduction="none"), reduction)
    return _huber(x, t, delta=float(delta), reduction=reduction)


def _nll_key(t):
    """The index of x[n, t[n, ...], ...] (of x[t] for an unbatched 1-D x and a 0-d t)."""
    if t.ndim == 0:
        return (t,)
    if t.ndim == 1:  # (a batch of targets: the common case, spelled out)
        return np.arange(t.shape[0]), t
    pos = sparse_indices(t.shape)
    return (pos[0], t) + pos[1:]


def _nll_weights(target, weight, ignore_index, dtype):
    valid = target != ignore_index
    t = np.where(valid, target, 0)
    w = weight[t] if weight is not None else np.ones(t.shape, dtype)
    return t, (w * valid).astype(dtype)


def _unit_weights(target, weight, ignore_index):
    """Whether every target counts once (no class weights, none ignored): the common case, which needs no
    weights. (Then the number of targets stands for the sum of their weights; up to 2**24 it is exactly
    what summing as many ones gives, in every float dtype.)"""
    if weight is not None or target.size > 1 << 24:
        return False
    if target.size <= SMALL:  # (a search of a short list costs less than a NumPy reduction)
        return ignore_index not in target.ravel().tolist()
    return not (target == ignore_index).any()


def _nll_forward(xp, x, *, target, weight, ignore_index, reduction):
    if _unit_weights(target, weight, ignore_index):
        loss, total = -x[_nll_key(target)], x.dtype.type(target.size)
    else:
        t, w = _nll_weights(target, weight, ignore_index, x.dtype)
        loss = xp.where(target != ignore_index, -x[_nll_key(t)] * w, 0)  # ignored: 0, even where x is NaN
        total = xp.sum(w)
    if reduction == "none":
        return xp.asarray(loss, x.dtype)
    if reduction == "sum":
        return xp.asarray(xp.sum(loss), x.dtype)
    return xp.asarray(xp.sum(loss) / total, x.dtype)


def _nll_vjp(kernel):
    def rule(xp, g, x, target, weight, ignore_index, reduction):
        if _unit_weights(target, weight, ignore_index):
            t, w = target, np.empty(target.shape)
            w.fill(1.0 / target.size if reduction == "mean" and target.size else 1.0)
        else:
            t, w = _nll_weights(target, weight, ignore_index, np.float64)
            if reduction == "mean" and w.sum():  # (every target ignored: the loss is nan, its gradient zeros)
                w = w / w.sum()
        picked = xp.index_add_zeros(tuple(x.shape), g.dtype, _nll_key(t), -g * xp.astype(xp.asarray(w), g.dtype))
        return xp.fused(kernel, picked, x)  # (NOTE [Fused backward kernels])
    return rule


# One rule; two rows for PyTorch's names (it takes the 2-D kernel for inputs of 3 or more dims).
_nll = op(_nll_forward, vjp=_nll_vjp("nll_loss_backward"), node="NllLossBackward0")
_nll2d = op(_nll_forward, vjp=_nll_vjp("nll_loss2d_backward"), node="NllLoss2DBackward0")


def _not_differentiable(fn, name, t):
    if t is not None and t._rg and _grad_mode.grad_enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{name}'. This "
                           f"input cannot have requires_grad True.")


_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))  # (dtypes: comparing with a type converts it first)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log-likelihood of class indices under log-probabilities `input` (N, C, ...) or (C,)."""
    reduction = _reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    x, t = _tensors("nll_loss_nd", ("input", input), ("target", target))
    nd = x._data.ndim  # PyTorch's checks, in its order
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd > 1 and (t._data.ndim == 0 or x._data.shape[0] != t._data.shape[0]):
        raise ValueError(f"Expected input batch_size ({x._data.shape[0]}) to match target batch_size "
                         f"({t._data.shape[0] if t._data.ndim else 1}).")
    if nd == 1 and t._data.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t._data.dtype not in _TARGET_DTYPES:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {t.dtype.type_name}")
    if nd == 1:
        if t._data.ndim == 1 and t._data.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t._data.shape[0]}")
    elif t._data.shape != x._data.shape[:1] + x._data.shape[2:]:
        raise RuntimeError(f"Expected target size {list(x._data.shape[:1] + x._data.shape[2:])}, got "
                           f"{list(t._data.shape)}")
    n_classes = x._data.shape[0 if nd == 1 else 1]
    if weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight._data.shape)}")
    _not_differentiable("nll_loss_forward" if nd <= 2 else "nll_loss2d_forward", "weight", weight)
    if x._data.dtype.kind != "f":
        raise _not_implemented("nll_loss_out_frame" if nd <= 2 else "nll_loss2d_forward_out_frame", x._data)
    if weight is not None and weight._data.dtype != x._data.dtype:
        raise RuntimeError(f"expected scalar type {x.dtype.type_name} but found {weight.dtype.type_name}")
    ta = t._data.astype(np.int64)
    if nd == 1:
        ta = ta.reshape(())  # a 1-D input takes a target of one
    lo, hi = int_range(ta) if ta.size else (0, 0)
    if lo < 0 or hi >= n_classes:  # (the common case, every target a class, pays only for int_range)
        bad = (ta != ignore_index) & ((ta < 0) | (ta >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(ta[bad][0])} is out of bounds.")
    w = None if weight is None else weight._data.astype(x._data.dtype)
    row = _nll if nd <= 2 else _nll2d
    out = row(x, target=ta, weight=w, ignore_index=ignore_index, reduction=reduction)
    if nd not in (1, 2, 4) and reduction == "none":
        out = out.view(out._data.shape)  # PyTorch flattens the extra dims for its 2-D kernel and views back
    return out


_div_number = op(lambda xp, x, *, other: x / other, vjp=lambda xp, g, other: g / other, node="DivBackward1")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """log_softmax over the class dim (1, or 0 for unbatched input), then the negative log-likelihood.

    `target` holds class indices (an integer tensor) or class probabilities (a float tensor shaped like input).
    """
    reduction = _reduction(size_average, reduce, reduction)
    _tensors("cross_entropy_loss", ("input", input), ("target", target))
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input._data.ndim == 1 else 1
    probabilities = target._data.shape == input._data.shape  # (else class indices: PyTorch decides by shape)
    if probabilities and target._data.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{target.dtype.type_name}")
    if not input._data.ndim:
        _wrap_dim(class_dim, 0, scalar_ok=False)
    logp = log_softmax(input, class_dim)
    n_classes = input._data.shape[class_dim]
    w_shape = (n_classes,) + (1,) * (input._data.ndim - class_dim - 1)
    if probabilities:
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target
        if weight is not None:
            terms = terms * weight.reshape(w_shape)
        if reduction == "none":
            return -terms.sum(class_dim)
        if reduction == "sum":
            return -terms.sum()
        # PyTorch divides by the number of class vectors (batch and spatial positions).
        return _div_number(-terms.sum(), other=input._data.size // n_classes if n_classes else 0)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    ignored = wrap(target._data == ignore_index)
    per_class = logp if weight is None else logp * weight.reshape(w_shape)
    smooth = (-per_class.sum(class_dim)).masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = target._data[target._data != ignore_index]
        denom = wrap(weight._data[kept].sum()) if weight is not None else wrap(np.asarray(kept.size))
        smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _bce_forward(xp, x, t, *, weight, reduction):
    # PyTorch clamps each log at -100 so that a saturated probability gives a finite loss.
    loss = -(t * xp.maximum(xp.log(x), -100) + (1 - t) * xp.maximum(xp.log1p(-x), -100))
    if weight is not None:
        loss = loss * weight
    return xp.asarray(loss if reduction == "none" else xp.mean(loss) if reduction == "mean" else xp.sum(loss))


def _bce_scale(xp, g, x, t, weight, reduction):
    s = g / max(int(np.prod(x.shape)), 1) if reduction == "mean" else g
    return s * xp.asarray(weight) if weight is not None else s


# PyTorch's floor on p (1 - p) in the input's gradient is the float 1e-12, also for double inputs.
_BCE_EPSILON = 9.999999960041972e-13


def _bce_vjp_x(xp, g, x, t, weight, reduction):
    return _bce_scale(xp, g, x, t, weight, reduction) * (x - t) / xp.maximum((1 - x) * x, _BCE_EPSILON)


def _bce_vjp_t(xp, g, x, t, weight, reduction):
    # -logit(p), unclamped as in PyTorch: +inf at p = 0, -inf at p = 1.
    return _bce_scale(xp, g, x, t, weight, reduction) * -xp.log(x / (1 - x))


_bce = op(_bce_forward, vjp=(_bce_vjp_x, _bce_vjp_t), node="BinaryCrossEntropyBackward0")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p in [0, 1]."""
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    _not_differentiable("binary_cross_entropy", "weight", weight)
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {target.dtype.type_name} but expected {input.dtype.type_name}")
    a = input._data
    if a.dtype.kind != "f":
        raise _not_implemented("binary_cross_entropy", a)
    if a.size and not ((a >= 0) & (a <= 1)).all():  # NaN fails the check too, as in PyTorch
        raise RuntimeError("all elements of input should be between 0 and 1")
    b = target._data
    if b.size and not ((b >= 0) & (b <= 1)).all():
        raise RuntimeError("all elements of target should be between 0 and 1")
    w = None if weight is None else np.broadcast_to(weight._data, a.shape).astype(a.dtype)
    return _bce(input, target, weight=w, reduction=reduction)


def _bce_logits_forward(xp, x, t, *, weight, pos_weight, reduction):
    # (1 - t) x + (1 + (p - 1) t) softplus(-x), with softplus(-x) = log1p(exp(-|x|)) + max(-x, 0)
    sp = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
    loss = (1 - t) * x + (sp if pos_weight is None else (1 + (pos_weight - 1) * t) * sp)
    if weight is not None:
        loss = loss * weight
    # PyTorch computes the loss in place in a tensor made from the target: the result has the target's dtype.
    return xp.asarray(loss if reduction == "none" else xp.mean(loss) if reduction == "mean" else xp.sum(loss),
                      t.dtype)


def _bce_logits_vjp_x(xp, g, x, t, weight, pos_weight, reduction):
    s = xp.sigmoid(x)
    if pos_weight is None:
        d = s - t
    else:
        p = xp.asarray(pos_weight)
        d = s * (p * t + 1 - t) - p * t
    return _bce_scale(xp, g, x, t, weight, reduction) * d


def _bce_logits_vjp_t(xp, g, x, t, weight, pos_weight, reduction):
    # PyTorch's forms: -x, or log_sigmoid(-x) - p log_sigmoid(x) = p softplus(-x) - softplus(x),
    # which stay infinite (not inf - inf) at x = -inf and +inf.
    if pos_weight is None:
        d = -x
    else:
        e = xp.log1p(xp.exp(-xp.abs(x)))
        d = xp.asarray(pos_weight) * (e + xp.maximum(-x, 0)) - (e + xp.maximum(x, 0))
    return _bce_scale(xp, g, x, t, weight, reduction) * d


# broadcasts=True for its casting: each gradient goes back in its own input's dtype
_bce_logits = op(_bce_logits_forward, vjp=(_bce_logits_vjp_x, _bce_logits_vjp_t),
                 node="BinaryCrossEntropyWithLogitsBackward0", broadcasts=True)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross entropy of sigmoid(input), computed without overflow."""
    reduction = _reduction(size_average, reduce, reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    if input._data.dtype.kind != "f":
        raise _not_implemented("log_sigmoid_cpu", input._data)
    if target._data.dtype.kind != "f":  # (PyTorch computes the loss into a tensor of the target's dtype)
        raise RuntimeError(f"result type {input.dtype.type_name} can't be cast to the desired output type "
                           f"{target.dtype.type_name}")
    shape = input._data.shape
    w = None if weight is None else np.broadcast_to(weight._data, shape)
    pw = None if pos_weight is None else np.broadcast_to(pos_weight._data, shape)
    return _bce_logits(input, target, weight=w, pos_weight=pw, reduction=reduction)


# -- linear and dropout ---------------------------------------------------------------------------
# (b's shape only: PyTorch's node does not save the bias.)
_addmm = op(lambda xp, b, x, w: b + xp.matmul(x, xp.matrix_transpose(w)),
            vjp=(lambda xp, g, b_shape: xp.sum_to_size(g, b_shape),
                 lambda xp, g, w: xp.matmul(g, w),
                 lambda xp, g, x: xp.matmul(xp.matrix_transpose(g), x)),
            node="AddmmBackward0")


def linear(input, weight, bias=None):
    """input @ weight.T + bias, for input (..., in_features) and weight (out_features, in_features).

    >>> dxdy.nn.functional.linear(dxdy.ones(2, 3), dxdy.ones(4, 3), dxdy.zeros(4)).shape
    dxdy.Size([2, 4])
    """
    _tensors("linear", ("input", input), ("weight", weight), ("bias", bias))
    x, w = input._data, weight._data
    if not x.ndim or not w.ndim:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and {w.ndim}D")
    if w.ndim > 2:  # (PyTorch transposes the weight)
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    # PyTorch's paths, whose grad_fn names and errors dxdy gives: addmm for a 2-D input with a bias; for a
    # contiguous input with a contiguous bias of one dim (size-1 dims aside), addmm on the input's rows (a 1-D
    # input is one row), viewed back; else matmul, then the bias added in place (it may not grow the result).
    folds = bias is not None and x.ndim and (x.ndim == 2 or input.is_contiguous() and bias.is_contiguous() and (
        bias._data.ndim == 1 or len([n for n in bias._data.shape if n != 1]) == 1))
    if folds:
        if w.ndim < 2:
            raise RuntimeError(f"mat2 must be a matrix, got {w.ndim}-D tensor")
        if x.shape[-1] == w.shape[1] and x.dtype == w.dtype:
            if bias._data.dtype != w.dtype:
                raise RuntimeError(f"self and mat2 must have the same dtype, but got {bias.dtype.type_name} and "
                                   f"{weight.dtype.type_name}")
            if bias._data.shape != (w.shape[0],):  # (the common bias needs no check)
                expanded_shape(bias, (math.prod(x.shape[:-1]), w.shape[0]))
            if x.ndim == 2:
                return _addmm(bias, input, weight)
            lead = x.shape[:-1]
            return _addmm(bias, input.reshape(math.prod(lead), x.shape[-1]), weight).view(lead + (w.shape[0],))
    out = matmul(input, weight.t() if w.ndim == 2 else weight)
    if bias is None:
        return out
    shape = broadcast_shape(out._data.shape, bias._data.shape)
    if shape != out._data.shape:
        raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the broadcast shape {list(shape)}")
    return out + bias


def _constant_pad(xp, x, pads, value):
    """x with pads[2i], pads[2i+1] elements of `value` before and after its i-th last dim (negative: cut)."""
    for i in range(len(pads) // 2):
        d = x.ndim - 1 - i
        before, after = pads[2 * i], pads[2 * i + 1]
        n = x.shape[d]
        start, stop = max(-before, 0), max(n - max(-after, 0), max(-before, 0))
        if start or stop != n:
            x = x[(slice(None),) * d + (slice(start, stop),)]
        parts = []
        for k in (before, after):
            if k > 0:
                shape = x.shape[:d] + (k,) + x.shape[d + 1:]
                parts.append(xp.zeros(shape, x.dtype) + value if value else xp.zeros(shape, x.dtype))
            else:
                parts.append(None)
        if parts[0] is not None or parts[1] is not None:
            x = xp.concatenate([p for p in (parts[0], x, parts[1]) if p is not None], axis=d)
    return x


# The transpose of padding by p is padding by -p (cutting what was added, zeros where it cut).
_pad = op(lambda xp, x, *, pads, value: _constant_pad(xp, x, pads, value),
          vjp=lambda xp, g, pads: _constant_pad(xp, g, tuple(-p for p in pads), 0),
          node="ConstantPadNdBackward0")


def pad(input, pad, mode="constant", value=None):
    """Pad the last dims: pad = (before, after) for the last dim, then for the one before, ...; negative cuts."""
    if mode != "constant":
        raise NotImplementedError(f"pad(mode='{mode}') is not supported; only 'constant'")
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > input._data.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pads)} and input of dimension {input._data.ndim}")
    for i in range(len(pads) // 2):
        n = input._data.shape[input._data.ndim - 1 - i]
        if n + min(pads[2 * i], 0) + min(pads[2 * i + 1], 0) < 0:  # (PyTorch cuts first, with narrow)
            raise RuntimeError("narrow(): length must be non-negative.")
    return _pad(input, pads=pads, value=0 if value is None else value)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (1 + input.abs())


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    return write_out(input / norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input), out)


def one_hot(input, num_classes=-1):
    """An int64 tensor with a trailing dim of num_classes: 1 at each class index, 0 elsewhere."""
    if input._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = input._data
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes <= 0 and not a.size:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    n = int(a.max()) + 1 if num_classes == -1 else num_classes
    if a.size and a.max() >= n:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return wrap((a[..., None] == np.arange(n)).astype(np.int64))


def bilinear(input1, input2, weight, bias=None):
    """x1^T A x2 + b for each output feature: weight (out, in1, in2), inputs (..., in1) and (..., in2)."""
    _tensors("bilinear", ("input1", input1), ("input2", input2), ("weight", weight), ("bias", bias))
    if input1.ndim != input2.ndim:  # PyTorch's checks, in its order (size(d) of a tensor without dim d: IndexError)
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {input1.shape[i]} "
                               f"and {input2.shape[i]}")
    for k, x in ((1, input1), (2, input2)):
        got, expected = x.shape[_wrap_dim(-1, x.ndim, False)], weight.shape[_wrap_dim(k, weight.ndim, False)]
        if got != expected:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got {got} but expected "
                               f"{expected}")
    if bias is not None and bias.shape[_wrap_dim(0, bias.ndim, False)] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but expected "
                           f"{weight.shape[0]}")
    if weight.ndim != 3:
        raise RuntimeError("number of dimensions must match")
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p); identity when not training."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input._data.size == 0:
        return input  # PyTorch returns the input itself here (no node), an empty one included
    if p == 1:
        mask = np.zeros(input._data.shape, input._data.dtype)
    else:
        mask = (_rng(None).random(input._data.shape) >= p).astype(input._data.dtype) / (1 - p)
    out = input * wrap(mask)
    return _inplace_result(input, out, inplace)


def torch_dropout(input, p, train):
    """torch.dropout: F.dropout under the names PyTorch gives the top-level function (`train`)."""
    return dropout(input, p, train)


name_ops(globals())

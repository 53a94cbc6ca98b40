"""Element-wise ops: arithmetic, math functions, comparisons, selection.

Each row states the forward and the derivative once (NOTE [Rule signatures] in
_op.py). For a unary op, `d` is dy/dx; the VJP is g * d.
"""
import math

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, wrap
from ._op import unary, binary, op, nondifferentiable, name_ops, as_operands

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _to_default_float(d):
    # True division of integers gives the default float dtype, as in PyTorch.
    return None if d.kind == "f" else _dt.get_default_dtype().np


# -- arithmetic ---------------------------------------------------------------------
_add = binary(lambda xp, x, y: x + y,
              vjp=(lambda xp, g: g, lambda xp, g: g), node="AddBackward0")
_sub = binary(lambda xp, x, y: x - y,
              vjp=(lambda xp, g: g, lambda xp, g: -g), node="SubBackward0")
_rsub = binary(lambda xp, x, y: y - x,
               vjp=(lambda xp, g: -g, lambda xp, g: g), node="RsubBackward1")  # other - self, self first
mul = binary(lambda xp, x, y: x * y,
             vjp=(lambda xp, g, x, y: g * y, lambda xp, g, x, y: g * x), node="MulBackward0")
_true_divide = binary(lambda xp, x, y: x / y,
                      vjp=(lambda xp, g, x, y: g / y, lambda xp, g, x, y: -g * ((x / y) / y)),
                      node="DivBackward0", promote=_to_default_float)
_divide_rounded = op(lambda xp, x, y, *, rounding_mode: xp.trunc(x / y) if rounding_mode == "trunc"
                     else xp.floor_divide(x, y),
                     vjp=(lambda xp, g: g * 0, lambda xp, g: g * 0), node="DivBackward2", broadcasts=True)
neg = unary(lambda xp, x: -x, d=lambda xp: -1, node="NegBackward0")
reciprocal = unary(lambda xp, x: 1 / x, d=lambda xp, out: -(out * out), node="ReciprocalBackward0")
_remainder = binary(lambda xp, x, y: xp.remainder(x, y),
                    vjp=(lambda xp, g, x, y: g, lambda xp, g, x, y: -g * xp.floor(x / y)),
                    node="RemainderBackward1")
_pow = binary(lambda xp, x, y: x ** y,
              vjp=(lambda xp, g, x, y, out: xp.where(y == 0, 0, g * y * x ** (y - 1)),
                   lambda xp, g, x, y, out: g * xp.where((x == 0) & (y >= 0), 0, out * xp.log(x))),
              node="PowBackward1")
_pow_scalar = op(lambda xp, x, *, exponent: x ** exponent,
                 vjp=lambda xp, g, x, exponent: g * 0 if exponent == 0 else g * (exponent * x ** (exponent - 1)),
                 node="PowBackward0", torch_names={"exponent": "exponent"})
_scalar_pow = op(lambda xp, x, *, base: base ** x,
                 vjp=lambda xp, g, out, base: g * 0 if base == 0 else g * (out * math.log(base)),
                 node="PowBackward2")
atan2 = binary(lambda xp, x, y: xp.arctan2(x, y),
               vjp=(lambda xp, g, x, y: g * (y / (x * x + y * y)), lambda xp, g, x, y: g * (-x / (x * x + y * y))),
               node="Atan2Backward0", promote=_to_default_float)
arctan2 = atan2


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting. `dxdy.add(x, 2)` and `x + 2` are the same."""
    if alpha != 1:
        other = other * alpha
    return _finish(_add(input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other, broadcasting."""
    if alpha != 1:
        other = other * alpha
    return _finish(_sub(input, other), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    if alpha != 1:
        input = input * alpha
    return _rsub(input, other)


def multiply(input, other, *, out=None):
    return _finish(mul(input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other; rounding_mode 'trunc' or 'floor' rounds the quotient (no gradient then)."""
    if rounding_mode is None:
        return _finish(_true_divide(input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    x, y = _tensors(input, other)
    return _finish(_divide_rounded(x, y, rounding_mode=rounding_mode), out)


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """The floor of input / other (no gradient, as in PyTorch)."""
    x, y = _tensors(input, other)
    return _finish(_floor_divide(x, y), out)


def remainder(input, other, *, out=None):
    """Python's modulus: the result has the sign of the divisor."""
    return _finish(_remainder(input, other), out)


def fmod(input, other, *, out=None):
    return _finish(_fmod(input, other), out)


_fmod = binary(lambda xp, x, y: xp.fmod(x, y),
               vjp=(lambda xp, g, x, y: g, lambda xp, g, x, y: -g * xp.trunc(x / y)), node="FmodBackward1")


def pow(input, exponent, *, out=None):
    """input ** exponent for tensors or Python numbers on either side."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        x = input
        if isinstance(exponent, float) and x._data.dtype.kind != "f":
            x = x.to(_dt.get_default_dtype())
        if isinstance(exponent, int) and exponent < 0 and x._data.dtype.kind in "iub":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _finish(_pow_scalar(x, exponent=exponent), out)
    if not isinstance(input, Tensor):
        x = exponent
        if isinstance(input, float) and x._data.dtype.kind != "f":
            x = x.to(_dt.get_default_dtype())
        return _finish(_scalar_pow(x, base=input), out)
    return _finish(_pow(input, exponent), out)


def float_power(input, exponent):
    x = input.double() if isinstance(input, Tensor) else input
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(x, e)


def _finish(result, out):
    if out is not None:
        from .inplace import copy_
        copy_(out, result)
        return out
    return result


_tensors = as_operands


# -- math ----------------------------------------------------------------------------
exp = unary(lambda xp, x: xp.exp(x), d=lambda xp, out: out, node="ExpBackward0")
exp2 = unary(lambda xp, x: xp.exp2(x), d=lambda xp, out: out * _LN2, node="Exp2Backward0")
expm1 = unary(lambda xp, x: xp.expm1(x), d=lambda xp, out: out + 1, node="Expm1Backward0")
log = unary(lambda xp, x: xp.log(x), d=lambda xp, x: 1 / x, node="LogBackward0")
log2 = unary(lambda xp, x: xp.log2(x), d=lambda xp, x: 1 / (x * _LN2), node="Log2Backward0")
log10 = unary(lambda xp, x: xp.log10(x), d=lambda xp, x: 1 / (x * _LN10), node="Log10Backward0")
log1p = unary(lambda xp, x: xp.log1p(x), d=lambda xp, x: 1 / (x + 1), node="Log1PBackward0")
sqrt = unary(lambda xp, x: xp.sqrt(x), d=lambda xp, out: 1 / (2 * out), node="SqrtBackward0")
rsqrt = unary(lambda xp, x: 1 / xp.sqrt(x), d=lambda xp, out: -0.5 * out * out * out, node="RsqrtBackward0")
square = unary(lambda xp, x: x * x, d=lambda xp, x: 2 * x, node="PowBackward0")
sin = unary(lambda xp, x: xp.sin(x), d=lambda xp, x: xp.cos(x), node="SinBackward0")
cos = unary(lambda xp, x: xp.cos(x), d=lambda xp, x: -xp.sin(x), node="CosBackward0")
tan = unary(lambda xp, x: xp.tan(x), d=lambda xp, out: 1 + out * out, node="TanBackward0")
asin = unary(lambda xp, x: xp.arcsin(x), d=lambda xp, x: 1 / xp.sqrt(1 - x * x), node="AsinBackward0")
acos = unary(lambda xp, x: xp.arccos(x), d=lambda xp, x: -1 / xp.sqrt(1 - x * x), node="AcosBackward0")
atan = unary(lambda xp, x: xp.arctan(x), d=lambda xp, x: 1 / (1 + x * x), node="AtanBackward0")
sinh = unary(lambda xp, x: xp.sinh(x), d=lambda xp, x: xp.cosh(x), node="SinhBackward0")
cosh = unary(lambda xp, x: xp.cosh(x), d=lambda xp, x: xp.sinh(x), node="CoshBackward0")
tanh = unary(lambda xp, x: xp.tanh(x), d=lambda xp, out: 1 - out * out, node="TanhBackward0")
asinh = unary(lambda xp, x: xp.arcsinh(x), d=lambda xp, x: 1 / xp.sqrt(x * x + 1), node="AsinhBackward0")
acosh = unary(lambda xp, x: xp.arccosh(x), d=lambda xp, x: 1 / xp.sqrt(x * x - 1), node="AcoshBackward0")
atanh = unary(lambda xp, x: xp.arctanh(x), d=lambda xp, x: 1 / (1 - x * x), node="AtanhBackward0")
sigmoid = unary(lambda xp, x: xp.sigmoid(x), d=lambda xp, out: out * (1 - out), node="SigmoidBackward0")
relu = unary(lambda xp, x: xp.maximum(x, 0), d=lambda xp, out: out > 0, node="ReluBackward0")
erf = unary(lambda xp, x: xp.erf(x), d=lambda xp, x: _TWO_OVER_SQRT_PI * xp.exp(-(x * x)), node="ErfBackward0")
erfc = unary(lambda xp, x: xp.erfc(x), d=lambda xp, x: -_TWO_OVER_SQRT_PI * xp.exp(-(x * x)),
             node="ErfcBackward0")
abs = unary(lambda xp, x: xp.abs(x), d=lambda xp, x: xp.sign(x), node="AbsBackward0")
absolute = abs
sign = unary(lambda xp, x: xp.sign(x), d=lambda xp: 0, node="SignBackward0")
sgn = sign
floor = unary(lambda xp, x: xp.floor(x), d=lambda xp: 0, node="FloorBackward0")
ceil = unary(lambda xp, x: xp.ceil(x), d=lambda xp: 0, node="CeilBackward0")
trunc = unary(lambda xp, x: xp.trunc(x), d=lambda xp: 0, node="TruncBackward0")
fix = trunc
frac = unary(lambda xp, x: x - xp.trunc(x), d=lambda xp: 1, node="FracBackward0")
_round = unary(lambda xp, x: xp.round(x), d=lambda xp: 0, node="RoundBackward0")
_round_decimals = op(lambda xp, x, *, decimals: xp.round(x, decimals),
                     vjp=lambda xp, g: g * 0, node="RoundBackward1")
_logit = op(lambda xp, x, *, eps: xp.log(x / (1 - x)) if eps is None else
            xp.log(xp.clip(x, eps, 1 - eps) / (1 - xp.clip(x, eps, 1 - eps))),
            vjp=lambda xp, g, x, eps: g / (x * (1 - x)) if eps is None else
            xp.where((x < eps) | (x > 1 - eps), 0, g / (x * (1 - x))),
            node="LogitBackward0")
_nan_to_num = op(lambda xp, x, *, nan, posinf, neginf: xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
                 vjp=lambda xp, g, x: g * xp.isfinite(x), node="NanToNumBackward0")


def round(input, *, decimals=0):
    """Round half to even, as PyTorch (and NumPy) do; decimals rounds to that many places."""
    if decimals == 0:
        return _round(input)
    return _round_decimals(input, decimals=decimals)


def logit(input, eps=None):
    """log(p / (1 - p)); with eps, p is clamped to [eps, 1 - eps] first."""
    return _logit(input, eps=eps)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN to `nan`, infinities to the dtype's largest finite values (or the given ones)."""
    return _nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf)


# -- two-tensor selection ---------------------------------------------------------------
def _tie_half(xp, g, x, y):
    # PyTorch splits the gradient evenly between tied operands of maximum/minimum.
    return xp.where(x == y, g / 2, g)


maximum = binary(lambda xp, x, y: xp.maximum(x, y),
                 vjp=(lambda xp, g, x, y: _tie_half(xp, g, x, y) * (x >= y),
                      lambda xp, g, x, y: _tie_half(xp, g, x, y) * (y >= x)), node="MaximumBackward0")
minimum = binary(lambda xp, x, y: xp.minimum(x, y),
                 vjp=(lambda xp, g, x, y: _tie_half(xp, g, x, y) * (x <= y),
                      lambda xp, g, x, y: _tie_half(xp, g, x, y) * (y <= x)), node="MinimumBackward0")
fmax = maximum
fmin = minimum

_where = op(lambda xp, condition, x, y: xp.where(condition, x, y),
            vjp=(None, lambda xp, g, condition: xp.where(condition, g, 0),
                 lambda xp, g, condition: xp.where(condition, 0, g)),
            node="WhereBackward0", broadcasts=True, torch_names={"condition": "condition"})


def where(condition, input=None, other=None, *, out=None):
    """input where condition holds, else other (both broadcast); with one argument, nonzero(as_tuple=True)."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype.name.capitalize()}")
    x, y = _tensors(input, other)
    return _finish(_where(condition, x, y), out)


_lerp = op(lambda xp, x, y, w: x + w * (y - x),
           vjp=(lambda xp, g, x, y, w: g * (1 - w), lambda xp, g, x, y, w: g * w,
                lambda xp, g, x, y, w: g * (y - x)),
           node="LerpBackward1", broadcasts=True)
_lerp_scalar = op(lambda xp, x, y, *, weight: x + weight * (y - x),
                  vjp=(lambda xp, g, weight: g * (1 - weight), lambda xp, g, weight: g * weight),
                  node="LerpBackward0", broadcasts=True)


def lerp(input, end, weight):
    """input + weight * (end - input)."""
    if isinstance(weight, Tensor):
        return _lerp(input, end, weight)
    return _lerp_scalar(input, end, weight=weight)


_clamp = op(lambda xp, x, *, min, max: _clip(xp, x, min, max),
            vjp=lambda xp, g, x, min, max: xp.where(_inside(x, min, max), g, 0),
            node="ClampBackward1")
_clamp_tensor = op(lambda xp, x, lo, hi: _clip(xp, x, lo, hi),
                   vjp=(lambda xp, g, x, lo, hi: xp.where(_inside(x, lo, hi), g, 0),
                        lambda xp, g, x, lo, hi: xp.where(_below(x, lo, hi), g, 0),
                        lambda xp, g, x, lo, hi: xp.where(_above(x, lo, hi), g, 0)),
                   node="ClampBackward0", broadcasts=True)


def _clip(xp, x, lo, hi):
    if lo is not None:
        x = xp.maximum(x, lo)
    if hi is not None:
        x = xp.minimum(x, hi)
    return x


def _inside(x, lo, hi):
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


def _below(x, lo, hi):
    # The lower bound gets the gradient where it is the result: x < lo, unless hi wins.
    return (x < lo) if hi is None else (x < lo) & (lo <= hi)


def _above(x, lo, hi):
    return (x > hi) if lo is None else (x > hi) | (lo > hi)


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max]; either bound may be a tensor, and when min > max the result is max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = min if min is None or isinstance(min, Tensor) else wrap(np.asarray(min, input._data.dtype))
        hi = max if max is None or isinstance(max, Tensor) else wrap(np.asarray(max, input._data.dtype))
        return _finish(_clamp_tensor(input, lo, hi), out)
    x = input
    if x._data.dtype.kind != "f" and (isinstance(min, float) or isinstance(max, float)):
        x = x.to(_dt.get_default_dtype())
    return _finish(_clamp(x, min=min, max=max), out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


# -- without gradient ----------------------------------------------------------------------
_floor_divide = nondifferentiable(lambda xp, x, y: xp.floor_divide(x, y))
_eq = nondifferentiable(lambda xp, x, y: xp.equal(x, y))
_ne = nondifferentiable(lambda xp, x, y: xp.not_equal(x, y))
_lt = nondifferentiable(lambda xp, x, y: xp.less(x, y))
_le = nondifferentiable(lambda xp, x, y: xp.less_equal(x, y))
_gt = nondifferentiable(lambda xp, x, y: xp.greater(x, y))
_ge = nondifferentiable(lambda xp, x, y: xp.greater_equal(x, y))


def _compare(f):
    def compare(input, other, *, out=None):
        if not isinstance(other, (Tensor, int, float, bool, np.number, np.bool_)):
            return NotImplemented  # `x == None` is False, as in PyTorch
        return f(*_comparands(input, other))
    return compare


def _comparands(x, y):
    # Comparisons use the operands' common dtype; Python scalars compare as they are.
    xa = x._data if isinstance(x, Tensor) else x
    ya = y._data if isinstance(y, Tensor) else y
    if isinstance(x, Tensor) and isinstance(y, Tensor) and xa.dtype != ya.dtype:
        return _tensors(x, y)
    return xa, ya


eq = _compare(_eq)
ne = _compare(_ne)
lt = _compare(_lt)
le = _compare(_le)
gt = _compare(_gt)
ge = _compare(_ge)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _logical(f):
    def logical(input, other=None):
        if other is None:
            return wrap(f(input._data))
        a, b = (t._data if isinstance(t, Tensor) else t for t in (input, other))
        return wrap(f(a, b))
    return logical


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)
logical_not = _logical(np.logical_not)
isnan = _logical(np.isnan)
isinf = _logical(np.isinf)
isfinite = _logical(np.isfinite)
isposinf = _logical(np.isposinf)
isneginf = _logical(np.isneginf)
signbit = _logical(np.signbit)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _bitwise(f, name):
    def bitwise(input, other=None):
        if other is None:
            a = input._data
        else:
            a, b = (t._data if isinstance(t, Tensor) else t for t in (input, other))
        if a.dtype.kind == "f":
            raise RuntimeError(f'"{name}_cpu" not implemented for \'{_dt.from_numpy(a.dtype).name.capitalize()}\'')
        return wrap(f(a) if other is None else f(a, b))
    return bitwise


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_not = _bitwise(np.invert, "bitwise_not")

name_ops(globals())

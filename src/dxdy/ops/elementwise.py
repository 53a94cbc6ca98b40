"""Element-wise ops: arithmetic, math functions, comparisons, selection.

Each row states the forward and the derivative once (NOTE [Rule signatures] in
_op.py). For a unary op, `d` is dy/dx; the VJP is g * d.

NOTE [Integer inputs]
Floating functions (exp, sqrt, sin, true division, ...) of integer and bool
tensors compute in the default float dtype, as in PyTorch (NumPy would give
float64, or float16 for bool). Rounding functions keep integers as they are and
refuse bools, with PyTorch's NotImplementedError. Integer division by zero is
PyTorch's RuntimeError, not NumPy's silent zero.
"""
import math
import sys
import numpy as np

from .. import dtypes as _dt
from ..dtypes import type_name
from ..messages import warn_once
from ..tensor import Tensor, wrap
from ._op import unary, binary, op, overloads, name_ops, _names
from .out import write_out
from .promotion import as_operands, check_broadcast, _operands
from ._xp import erf as _erf, numpy_ns, tensor_ns
from .index import nonzero

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_BOOL = np.dtype(bool)
_int, _float = int, float


def _to_default_float(d):
    # True division of integers gives the default float dtype, as in PyTorch.
    return None if d.kind == "f" else _dt.get_default_dtype().np


def _floating(x):
    # NOTE [Integer inputs]
    return x if x.dtype.kind == "f" else x.astype(_dt.get_default_dtype().np)


def _not_implemented(kernel, x):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_dt.from_numpy(x.dtype).type_name}'")


def _no_bool(kernel):
    def check(x):
        if x.dtype.kind == "b":
            raise _not_implemented(kernel, x)
        return x
    return check


def _nonzero_divisor(y):
    # Integer division by zero (NOTE [Integer inputs]).
    if np.any(np.equal(y, 0)):
        raise RuntimeError("ZeroDivisionError")


def _dtype_of(x, y):
    # The dtype of the array operand (the other may be a Python number).
    return (x if isinstance(x, (np.ndarray, np.generic)) else y).dtype


# NOTE [Masked gradients]
# Where an op's derivative is zero, PyTorch's rule masks the gradient (relu: where(out <= 0, 0, g)) or returns
# zeros (floor: zeros_like(g)) instead of multiplying by the derivative, so an infinite or NaN incoming gradient
# gives 0 there, not 0 * inf = NaN. unary's VJP is g * d, so these rows give their VJP and JVP in place of d;
# selection ops (maximum, hardtanh, ...) use xp.where_or_zero (a fast where), never g * mask.
def _zeros_vjp(xp, g):
    return xp.zeros_like(g)


def _zeros_jvp(xp, t, *vals):
    return xp.zeros_like(t)


def _not_differentiable(name):
    def rule(xp, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return rule


# -- arithmetic ---------------------------------------------------------------------
_add = binary(lambda xp, x, y: x + y,
              vjp=(lambda xp, g: g, lambda xp, g: g), node="AddBackward0", reuse=np.add)
_sub = binary(lambda xp, x, y: _minus(x, y),
              vjp=(lambda xp, g: g, lambda xp, g: -g), node="SubBackward0",
              check=lambda x, y: _no_bool_subtraction(x, y), reuse=np.subtract)
_rsub_rows = overloads(binary, lambda xp, x, y: _minus(y, x),  # other - self, self first
                       vjp=(lambda xp, g: -g, lambda xp, g: g), check=lambda x, y: _no_bool_subtraction(x, y),
                       rows={"rsub.Tensor": "RsubBackward0", "rsub.Scalar": "RsubBackward1"})
mul = binary(lambda xp, x, y: x * y,
             vjp=(lambda xp, g, y: g * y, lambda xp, g, x: g * x), node="MulBackward0")
_div = binary(lambda xp, x, y: x / y, vjp=(lambda xp, g, y: g / y, lambda xp, g, x, y: -g * ((x / y) / y)),
              node="DivBackward0", promote=_to_default_float)
# (Zeros, as PyTorch's, even where g is infinite. The rules name what PyTorch's formulas name without using it:
# x's formula names y, y's names x and y, so that a second backward, or one after a saved operand changed in
# place, fails as in PyTorch.)
_divide_rounded = op(lambda xp, x, y, *, rounding_mode: _rounded_quotient(xp, x, y, rounding_mode),
                     vjp=(lambda xp, g, y: xp.zeros_like(g),
                          lambda xp, g, x, y: xp.zeros_like(g)),
                     node="DivBackward2", broadcasts=True)
_floor_divide = binary(lambda xp, x, y: _rounded_quotient(xp, x, y, "floor"),
                       vjp=(_not_differentiable("floor_divide"), _not_differentiable("floor_divide")),
                       node="NotImplemented")
neg = unary(lambda xp, x: _negative(x), d=lambda xp: -1, node="NegBackward0")
reciprocal = unary(lambda xp, x: 1 / _floating(x), d=lambda xp, out: -(out * out), node="ReciprocalBackward0")
# PyTorch's remainder.Tensor and fmod.Tensor save both operands for other's rule alone, so by a divisor that does
# not require grad their nodes save nothing (a second backward works): `saved_for_y_only`.
_remainder = overloads(binary, lambda xp, x, y: _modulo(xp.remainder, "remainder_cpu", x, y), rows={
    "remainder.Tensor": dict(vjp=(lambda xp, g: g, lambda xp, g, x, y: -g * xp.floor(x / y)),
                             node="RemainderBackward1", saved_for_y_only=True),
    "remainder.Scalar": dict(vjp=(lambda xp, g: g, None), node="RemainderBackward0"),  # tensor % number
    "remainder.Scalar_Tensor": dict(vjp=(None, _not_differentiable("remainder")), node="NotImplemented"),
})
_fmod = overloads(binary, lambda xp, x, y: _modulo(xp.fmod, "fmod_cpu", x, y), rows={
    "fmod.Tensor": dict(vjp=(lambda xp, g: g, lambda xp, g, x, y: -g * xp.trunc(x / y)), node="FmodBackward1",
                        saved_for_y_only=True),
    "fmod.Scalar": dict(vjp=(lambda xp, g: g, None), node="FmodBackward0"),
})
# d(x^y)/dx = y x^(y-1), zero where y == 0; d(x^y)/dy = x^y log x, zero where x == 0 and y >= 0 (PyTorch's
# conventions, which keep 0^0 and 0^y differentiable).
_pow = overloads(binary, lambda xp, x, y: _power(x, y), torch_names={"y": "exponent"}, rows={
    "pow.Tensor_Tensor": dict(
        vjp=(lambda xp, g, x, y, out: xp.where(y == 0, 0, g * y * x ** (y - 1)),  # (out: PyTorch saves it)
             lambda xp, g, x, y, out: g * xp.where((x == 0) & (y >= 0), 0, out * xp.log(x))),
        node="PowBackward1", pack_order=("y", "x", "out")),
    "pow.Tensor_Scalar": dict(  # tensor ** number
        vjp=(lambda xp, g, x, y: xp.zeros_like(g) if y == 0 else g * (y * _to_number_power(xp, x, y - 1)), None),
        node="PowBackward0", pack_order=("y", "x")),
    "pow.Scalar": dict(  # number ** tensor
        vjp=(None, lambda xp, g, x, y, out: g * _times_log(xp, out, x, y)), node="PowBackward2",
        pack_order=("out", "x", "y")),
})
_atan2 = binary(lambda xp, x, y: xp.arctan2(x, y),
                vjp=(lambda xp, g, x, y: g * (y * _inverse_radius2(xp, x, y)),
                     lambda xp, g, x, y: g * (-x * _inverse_radius2(xp, x, y))),
                node="Atan2Backward0", promote=_to_default_float, pack_order=("y", "x"))


def _inverse_radius2(xp, x, y):
    # 1 / (x^2 + y^2), taken as 0 at the origin, where PyTorch's atan2 gradient is 0.
    r2 = x * x + y * y
    return xp.where(r2 == 0, 0, 1 / r2)


def _negative(x):
    try:
        return -x
    except TypeError:  # NumPy's refusal of a bool, in PyTorch's words
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.") from None


def _rounded_quotient(xp, x, y, mode):
    d = _dtype_of(x, y)
    if d.kind == "f":
        return xp.trunc(x / y) if mode == "trunc" else xp.floor_divide(x, y)
    if d.kind == "b":
        raise _not_implemented(f"div_{mode}_cpu", np.empty(0, d))
    _nonzero_divisor(y)
    q = xp.floor_divide(x, y)
    if mode == "trunc":  # floor, then one up where the exact quotient was negative and inexact
        q = q + ((xp.remainder(x, y) != 0) & ((x < 0) != (y < 0)))
    return q


def _modulo(f, kernel, x, y):
    d = _dtype_of(x, y)
    if d.kind == "b":
        raise _not_implemented(kernel, np.empty(0, d))
    if d.kind != "f":
        _nonzero_divisor(y)
    return f(x, y)


def _to_number_power(xp, x, e):
    # x ** e for a Python number e, with PyTorch's kernels for e = +-0.5 (sqrt, rsqrt), which differ from
    # C's pow at -0 and -inf: (-0) ** 0.5 is -0 and (-inf) ** 0.5 NaN, where pow gives 0 and inf.
    if e == 0.5:
        return xp.sqrt(x)
    if e == -0.5:
        return 1 / xp.sqrt(x)
    return x ** e


def _power(x, y):
    d = _dtype_of(x, y)
    if d.kind == "f":
        if y.__class__ is float or y.__class__ is int:  # tensor ** number
            return _to_number_power(np, x, y)
        out = np.power(x, y)
        if np.size(y) < np.size(out) and np.any(np.equal(y, 0.5)):
            # NumPy takes sqrt for a broadcast exponent of 0.5; PyTorch's tensor ** tensor is C's pow, which
            # differs at -inf (inf, not NaN) and -0 (+0).
            out = np.where(np.equal(y, 0.5), np.where(np.equal(x, -math.inf), math.inf, out + 0.0), out)
        return out
    if d.kind == "b":
        if isinstance(y, (np.ndarray, np.generic)):  # PyTorch has no bool exponent tensors
            raise _not_implemented("pow", y)
        return (np.asarray(x, np.int64) ** np.asarray(y, np.int64)).astype(bool)  # a bool tensor ** a bool
    negative = np.less(y, 0)
    if not np.any(negative):
        return np.asarray(x ** y, d)
    # Integer powers with negative exponents, as PyTorch: 1 for base 1, +-1 for base -1, else 0.
    x, y = np.asarray(x, d), np.asarray(y, d)
    whole = x ** np.where(negative, 0, y).astype(d)
    signs = np.where(np.remainder(y, 2) == 0, 1, -1)
    return np.where(negative, np.where(x == 1, 1, np.where(x == -1, signs, 0)), whole).astype(d)


def _times_log(xp, out, base, y):
    # out * log(base) for a number base; PyTorch's zero where base == 0 and y >= 0.
    if base == 0:
        # out * log(0) elsewhere: -inf where y < 0, NaN where y is NaN (y itself, so that no inf * 0 appears
        # in the second derivative)
        return xp.where(y >= 0, out * 0, xp.where(y < 0, -math.inf, y))
    return out * (math.log(base) if base > 0 else math.nan)


def _is_bool(v):
    return v._data.dtype is _BOOL if isinstance(v, Tensor) else v.__class__ is bool


def _no_bool_subtraction(x, y):
    if _is_bool(x) and _is_bool(y):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if _is_bool(x) or _is_bool(y):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")


def _minus(x, y):
    try:
        return x - y
    except TypeError:  # NumPy refuses bool - bool; the fast paths of binary() get here
        _no_bool_subtraction(True, True)


_rsub = _rsub_rows["rsub.Scalar"]  # Tensor.__rsub__: y - x with the tensor x first


def _scaled(other, alpha, input):
    if alpha == 1 and alpha.__class__ is not bool:
        return other
    kinds = {a._data.dtype.kind for a in (input, other) if isinstance(a, Tensor)}
    if isinstance(alpha, bool) and kinds != {"b"}:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, float) and "f" not in kinds:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return _times_alpha(other, alpha=alpha) if isinstance(other, Tensor) else other * alpha


# other * alpha for add and sub, saving nothing: PyTorch's nodes keep only alpha, so a second backward works.
_times_alpha = op(lambda xp, x, *, alpha: x * alpha, vjp=lambda xp, g, alpha: g * alpha, node="MulBackward0",
                  linear=True)


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcasting. `dxdy.add(x, 2)` and `x + 2` are the same."""
    return _finish(_add(input, _scaled(other, alpha, input)), out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other, broadcasting."""
    if alpha != 1 and (_is_bool(input) or _is_bool(other)):  # (alpha * other would lose the bool first)
        _no_bool_subtraction(input, other)
    return _finish(_sub(input, _scaled(other, alpha, input)), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input."""
    if _is_bool(input) or _is_bool(other):
        _no_bool_subtraction(input, other)
    x = _scaled(input, alpha, other)
    return _rsub_rows["rsub.Tensor" if isinstance(other, Tensor) else "rsub.Scalar"](x, other)


def multiply(input, other, *, out=None):
    return _finish(mul(input, other), out)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other; rounding_mode 'trunc' or 'floor' rounds the quotient (its gradient is zero)."""
    if rounding_mode is None:
        return _finish(_div(input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    x, y = as_operands(input, other)
    return _finish(_divide_rounded(x, y, rounding_mode=rounding_mode), out)


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """The floor of input / other. Not differentiable: backward through it raises, as in PyTorch."""
    return _finish(_floor_divide(input, other), out)


def remainder(input, other, *, out=None):
    """Python's modulus: the result has the sign of the divisor."""
    if not isinstance(input, Tensor):
        return _finish(_remainder["remainder.Scalar_Tensor"](input, other), out)
    if not isinstance(other, Tensor):
        return _finish(_remainder["remainder.Scalar"](input, other), out)
    return _finish(_remainder["remainder.Tensor"](input, other), out)


def fmod(input, other, *, out=None):
    """C's fmod: the result has the sign of the dividend."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(other, Tensor):
        return _finish(_fmod["fmod.Scalar"](input, other), out)
    return _finish(_fmod["fmod.Tensor"](input, other), out)


def pow(input, exponent, *, out=None):
    """input ** exponent for tensors or Python numbers on either side."""
    if not isinstance(input, Tensor):
        return _finish(_pow["pow.Scalar"](input, exponent), out)
    if isinstance(exponent, Tensor):
        return _finish(_pow["pow.Tensor_Tensor"](input, exponent), out)
    if isinstance(exponent, int) and not isinstance(exponent, bool) and exponent < 0 \
            and input._data.dtype.kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _finish(_pow["pow.Tensor_Scalar"](input, exponent), out)


def float_power(input, exponent):
    """input ** exponent computed in float64."""
    x = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return pow(x, e)


def atan2(input, other, *, out=None):
    """The angle of the point (other, input): arctan(input / other) in the right quadrant."""
    _need_tensors("atan2", input, other)
    return _finish(_atan2(input, other), out)


arctan2 = atan2


def _need_tensors(name, input, other):
    for arg, pos, v in (("input", 1, input), ("other", 2, other)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type_name(v)}")


def _finish(result, out):
    if out is None:
        return result
    return write_out(result, out, sys._getframe(1).f_code.co_name)  # named as the public function


# -- math ----------------------------------------------------------------------------
exp = unary(lambda xp, x: xp.exp(_floating(x)), d=lambda xp, out: out, node="ExpBackward0", reuse=np.exp)
exp2 = unary(lambda xp, x: xp.exp2(_floating(x)), d=lambda xp, out: out * _LN2, node="Exp2Backward0")
expm1 = unary(lambda xp, x: xp.expm1(_floating(x)), d=lambda xp, out: out + 1, node="Expm1Backward0")
log = unary(lambda xp, x: xp.log(_floating(x)), d=lambda xp, x: 1 / x, node="LogBackward0")
log2 = unary(lambda xp, x: xp.log2(_floating(x)), d=lambda xp, x: 1 / (x * _LN2), node="Log2Backward0")
log10 = unary(lambda xp, x: xp.log10(_floating(x)), d=lambda xp, x: 1 / (x * _LN10), node="Log10Backward0")
log1p = unary(lambda xp, x: xp.log1p(_floating(x)), d=lambda xp, x: 1 / (x + 1), node="Log1PBackward0")
sqrt = unary(lambda xp, x: xp.sqrt(_floating(x)), d=lambda xp, out: 1 / (2 * out), node="SqrtBackward0")
rsqrt = unary(lambda xp, x: 1 / xp.sqrt(_floating(x)), d=lambda xp, out: -0.5 * out * out * out,
              node="RsqrtBackward0")
square = unary(lambda xp, x: x * x if x.dtype.kind != "b" else x.astype(np.int64), d=lambda xp, x: 2 * x,
               node="PowBackward0")
sin = unary(lambda xp, x: xp.sin(_floating(x)), d=lambda xp, x: xp.cos(x), node="SinBackward0")
cos = unary(lambda xp, x: xp.cos(_floating(x)), d=lambda xp, x: -xp.sin(x), node="CosBackward0")
tan = unary(lambda xp, x: xp.tan(_floating(x)), d=lambda xp, out: 1 + out * out, node="TanBackward0")
asin = unary(lambda xp, x: xp.arcsin(_floating(x)), d=lambda xp, x: 1 / xp.sqrt(1 - x * x), node="AsinBackward0")
acos = unary(lambda xp, x: xp.arccos(_floating(x)), d=lambda xp, x: -1 / xp.sqrt(1 - x * x), node="AcosBackward0")
atan = unary(lambda xp, x: xp.arctan(_floating(x)), d=lambda xp, x: 1 / (1 + x * x), node="AtanBackward0")
sinh = unary(lambda xp, x: xp.sinh(_floating(x)), d=lambda xp, x: xp.cosh(x), node="SinhBackward0")
cosh = unary(lambda xp, x: xp.cosh(_floating(x)), d=lambda xp, x: xp.sinh(x), node="CoshBackward0")
tanh = unary(lambda xp, x: xp.tanh(_floating(x)), d=lambda xp, out: 1 - out * out, node="TanhBackward0",
             reuse=np.tanh)
asinh = unary(lambda xp, x: xp.arcsinh(_floating(x)), d=lambda xp, x: 1 / xp.sqrt(x * x + 1),
              node="AsinhBackward0")
acosh = unary(lambda xp, x: xp.arccosh(_floating(x)), d=lambda xp, x: 1 / xp.sqrt(x * x - 1),
              node="AcoshBackward0")
atanh = unary(lambda xp, x: xp.arctanh(_floating(x)), d=lambda xp, x: 1 / (1 - x * x), node="AtanhBackward0")
arcsin, arccos, arctan, arcsinh, arccosh, arctanh, negative = asin, acos, atan, asinh, acosh, atanh, neg  # NumPy's names
sigmoid = unary(lambda xp, x: xp.sigmoid(_floating(x)), d=lambda xp, out: out * (1 - out), node="SigmoidBackward0")
# The gradient passes unless out <= 0, so a NaN input gets it, as in PyTorch (threshold_backward).
# Masked, not multiplied (NOTE [Masked gradients]).
relu = unary(lambda xp, x: xp.maximum(_no_bool_relu(x), 0),
             vjp=lambda xp, g, out: xp.fused("threshold_backward", xp.where_or_zero(~(out <= 0), g, last_use=True),
                                             out),
             jvp=lambda xp, t, out: xp.where(out <= 0, 0, t), node="ReluBackward0",
             reuse=lambda a, out: np.maximum(a, 0, out=out))
erf = unary(lambda xp, x: xp.erf(_floating(x)), d=lambda xp, x: _TWO_OVER_SQRT_PI * xp.exp(-(x * x)),
            node="ErfBackward0")
erfc = unary(lambda xp, x: xp.erfc(_floating(x)), d=lambda xp, x: -_TWO_OVER_SQRT_PI * xp.exp(-(x * x)),
             node="ErfcBackward0")
# |x|' = sign(x), and 0 at 0 (PyTorch's convention: the subgradient 0).
_no_bool_abs = _no_bool("abs_cpu")
abs = unary(lambda xp, x: xp.abs(_no_bool_abs(x)), d=lambda xp, x: xp.sign(x), node="AbsBackward0")
absolute = abs
# sign(NaN) is 0, as in PyTorch (numpy_ns.sign sees to it).
# The gradients of sign and the rounding functions are zeros, even where g is infinite or NaN (NOTE [Masked
# gradients]).
sign = unary(lambda xp, x: xp.sign(x) if x.dtype.kind != "b" else x.copy(), vjp=_zeros_vjp, jvp=_zeros_jvp,
             node="SignBackward0")
# (The rules name x and out without using them: PyTorch's SgnBackward0 saves both, so that a second backward, or
# a backward after the result was changed in place, fails there too)
sgn = unary(lambda xp, x: xp.sign(x) if x.dtype.kind != "b" else x.copy(),
            vjp=lambda xp, g, x, out: xp.zeros_like(g),
            jvp=lambda xp, t, x, out: xp.zeros_like(t), node="SgnBackward0")


def _rounding(f, kernel):
    # NOTE [Integer inputs]: integers are already whole, bools are refused.
    refuse = _no_bool(kernel)

    def forward(xp, x):
        if x.dtype.kind == "f":
            return f(xp, x)
        return refuse(x).copy()
    return forward


def _no_bool_relu(x):
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return x


def _fractional_part(xp, x):
    if x.dtype.kind != "f":
        raise _not_implemented("frac_cpu", x)
    return x - xp.trunc(x)


floor = unary(_rounding(lambda xp, x: xp.floor(x), "floor_vml_cpu"), vjp=_zeros_vjp, jvp=_zeros_jvp,
              node="FloorBackward0")
ceil = unary(_rounding(lambda xp, x: xp.ceil(x), "ceil_vml_cpu"), vjp=_zeros_vjp, jvp=_zeros_jvp,
             node="CeilBackward0")
trunc = unary(_rounding(lambda xp, x: xp.trunc(x), "trunc_vml_cpu"), vjp=_zeros_vjp, jvp=_zeros_jvp,
              node="TruncBackward0")
fix = trunc
frac = unary(_fractional_part, vjp=lambda xp, g: g, jvp=lambda xp, t: t, node="FracBackward0")  # (g itself)
_round = unary(_rounding(lambda xp, x: xp.round(x), "round_vml_cpu"), vjp=_zeros_vjp, jvp=_zeros_jvp,
               node="RoundBackward0")
_round_decimals = op(lambda xp, x, *, decimals: xp.round(x, decimals),
                     vjp=_zeros_vjp, node="RoundBackward1")
_logit = op(lambda xp, x, *, eps: xp.log(x / (1 - x)) if eps is None else
            xp.log(xp.clip(x, eps, 1 - eps) / (1 - xp.clip(x, eps, 1 - eps))),
            vjp=lambda xp, g, x, eps: _logit_vjp(xp, g, x, eps),
            node="LogitBackward0")


def _logit_vjp(xp, g, x, eps):
    # PyTorch's: g * inf at 0 and 1 (either sign of zero), and outside [0, 1] NaN (no eps) or 0
    # (outside [eps, 1 - eps]).
    inside = g * xp.where((x == 0) | (x == 1), math.inf, 1 / (x * (1 - x)))
    if eps is None:
        return xp.where((x < 0) | (x > 1), math.nan, inside)
    return xp.where((x < eps) | (x > 1 - eps), 0, inside)


_nan_to_num = op(lambda xp, x, *, nan, posinf, neginf: xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
                 vjp=lambda xp, g, x: g * xp.isfinite(x), node="NanToNumBackward0")


def round(input, *, decimals=0, out=None):
    """Round half to even, as PyTorch (and NumPy) do; decimals rounds to that many places."""
    if decimals == 0:
        return write_out(_round(input), out)
    if input._data.dtype.kind != "f":  # (PyTorch's kernel with decimals has no integer version)
        raise _not_implemented("round_cpu", input._data)
    return write_out(_round_decimals(input, decimals=decimals), out)


def logit(input, eps=None):
    """log(p / (1 - p)); with eps, p is clamped to [eps, 1 - eps] first."""
    x = input if input._data.dtype.kind == "f" else input.to(_dt.get_default_dtype())
    return _logit(x, eps=eps)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN to `nan`, infinities to the dtype's largest finite values (or the given ones)."""
    return write_out(_nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf), out)


# -- log-sum-exp of pairs, xlogy, hypot, copysign, heaviside, addcmul, addcdiv ------------------------
def _floats_only(kernel):
    # A check for ops with float kernels only (logaddexp, hypot; silu and other activations in nn.py).
    def check(x):
        if x.dtype.kind != "f":
            raise _not_implemented(kernel, x)
        return x
    return check


_logaddexp_input = _floats_only("logaddexp_cpu")
_logaddexp2_input = _floats_only("logaddexp2_cpu")
_hypot_input = _floats_only("hypot_cpu")
# d/dx log(e^x + e^y) = 1 / (1 + e^(y - x)): NaN where both are the same infinity, as in PyTorch.
_logaddexp = binary(lambda xp, x, y: xp.logaddexp(_logaddexp_input(x), y),
                    vjp=(lambda xp, g, x, y: g / (1 + xp.exp(y - x)), lambda xp, g, x, y: g / (1 + xp.exp(x - y))),
                    node="LogaddexpBackward0", pack_order=("y", "x"))
_logaddexp2 = binary(lambda xp, x, y: xp.logaddexp2(_logaddexp2_input(x), y),
                     vjp=(lambda xp, g, x, y: g / (1 + 2 ** (y - x)), lambda xp, g, x, y: g / (1 + 2 ** (x - y))),
                     node="Logaddexp2Backward0", pack_order=("y", "x"))
# x / hypot: NaN at the origin, as in PyTorch (g * x / out, in its order).
_hypot = binary(lambda xp, x, y: xp.hypot(_hypot_input(x), y),
                vjp=(lambda xp, g, x, out: g * x / out, lambda xp, g, y, out: g * y / out),
                node="HypotBackward0")


def _log_of(xp, y, like):
    """log(y), a Python number y taken in the dtype of the array `like` (so that it does not promote it)."""
    if isinstance(y, (_int, _float)):
        y = xp.asarray(y, like.dtype) if isinstance(like, (np.ndarray, np.generic)) else xp.asarray(y)
    return xp.log(y)


def _xlogy_forward(xp, x, y):
    # x log y, and 0 where x == 0 unless y is NaN (PyTorch's convention: 0 log 0 = 0).
    like = y if isinstance(y, (np.ndarray, np.generic)) else x
    return xp.where((x == 0) & (y == y), 0, x * _log_of(xp, y, like))


def _xlogy_of_gradient(xp, g, y):
    # xlogy(g, y): g log y, 0 where g == 0 (unless y is NaN). A Python number y is a constant.
    if isinstance(y, (_int, _float)):
        if y != y:
            return g * math.nan
        return xp.where(g == 0, 0, g * (math.log(y) if y > 0 else -math.inf if y == 0 else math.nan))
    return xp.where((g == 0) & (y == y), 0, g * xp.log(y))


# PyTorch's rules: d/dx = log y, masked to 0 where x == 0 and y <= 0 (and to 0 where g == 0); d/dy = x / y.
_xlogy = overloads(binary, _xlogy_forward, promote=_to_default_float, rows={
    "xlogy.Tensor": dict(vjp=(lambda xp, g, x, y: xp.where((x == 0) & (y <= 0), 0, _xlogy_of_gradient(xp, g, y)),
                              lambda xp, g, x, y: g * x / y), node="XlogyBackward0"),
    "xlogy.Scalar_Self": dict(vjp=(None, lambda xp, g, x, y: g * x / y), node="XlogyBackward1"),  # number, tensor
    "xlogy.Scalar_Other": dict(  # tensor, number: masked where x == 0 unless y > 0
        vjp=(lambda xp, g, x, y: _xlogy_of_gradient(xp, g, y) if y > 0 else
             xp.where(x == 0, 0, _xlogy_of_gradient(xp, g, y)), None), node="XlogyBackward2",
        pack_order=("y", "x")),
})


def _copysign_ratio(xp, x, out):
    # copysign(x, y) / x: +-1, taken as 0 where x == 0 (PyTorch's; a product, so g = inf there gives NaN).
    return xp.where(x == 0, 0, out / x)


# The gradient of `other` is zeros (PyTorch's), even where g is infinite or NaN.
_copysign = overloads(binary, lambda xp, x, y: xp.copysign(x, y), promote=_to_default_float, rows={
    "copysign.Tensor": dict(vjp=(lambda xp, g, x, out: g * _copysign_ratio(xp, x, out),
                                 lambda xp, g, out: xp.zeros_like(g)),  # (PyTorch saves the result)
                            node="CopysignBackward0"),
    "copysign.Scalar": dict(vjp=(lambda xp, g, x, out: g * _copysign_ratio(xp, x, out), None),
                            node="CopysignBackward1"),
})


def _heaviside_forward(xp, x, y):
    # values where x == 0, else 1 where x > 0 and 0 elsewhere (NaN included: PyTorch's, where NumPy gives NaN)
    return xp.asarray(xp.where(x == 0, y, x > 0), x.dtype)


# No derivative: backward through it raises, as in PyTorch.
_heaviside = binary(_heaviside_forward, vjp=(_not_differentiable("heaviside"), _not_differentiable("heaviside")),
                    node="NotImplemented")


def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)), computed without overflow."""
    _need_tensors("logaddexp", input, other)
    return _finish(_logaddexp(input, other), out)


def logaddexp2(input, other, *, out=None):
    """log2(2**input + 2**other), computed without overflow."""
    _need_tensors("logaddexp2", input, other)
    return _finish(_logaddexp2(input, other), out)


def xlogy(input, other, *, out=None):
    """input * log(other), and 0 where input == 0 (unless other is NaN); either may be a Python number."""
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise TypeError(f"xlogy() received an invalid combination of arguments - got ({type_name(input)}, "
                            f"{type_name(other)}), but expected one of:\n * (Tensor input, Tensor other)\n"
                            f" * (Number self, Tensor other)\n * (Tensor input, Number other)")
        return _finish(_xlogy["xlogy.Scalar_Self"](input, other), out)
    if not isinstance(other, Tensor):
        return _finish(_xlogy["xlogy.Scalar_Other"](input, other), out)
    return _finish(_xlogy["xlogy.Tensor"](input, other), out)


def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2), element-wise, without overflow."""
    _need_tensors("hypot", input, other)
    return _finish(_hypot(input, other), out)


def copysign(input, other, *, out=None):
    """|input| with the sign of other (a tensor or a number); the gradient of other is zero."""
    if not isinstance(input, Tensor):
        raise TypeError(f"copysign() received an invalid combination of arguments - got ({type_name(input)}, "
                        f"{type_name(other)}), but expected one of:\n * (Tensor input, Tensor other, *, Tensor out "
                        f"= None)\n * (Tensor input, Number other, *, Tensor out = None)\n")
    if isinstance(other, Tensor):
        return _finish(_copysign["copysign.Tensor"](input, other), out)
    return _finish(_copysign["copysign.Scalar"](input, other), out)


def heaviside(input, values, *, out=None):
    """The step function: 0 where input < 0, values where input == 0, 1 where input > 0. Not differentiable."""
    for arg, pos, v in (("input", 1, input), ("values", 2, values)):
        if not isinstance(v, Tensor):
            raise TypeError(f"heaviside(): argument '{arg}' (position {pos}) must be Tensor, not {type_name(v)}")
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _finish(_heaviside(input, values), out)


# input + value * t1 * t2 and input + value * t1 / t2, all three broadcasting (PyTorch's rules).
_addcmul = op(lambda xp, x, t1, t2, *, value: x + value * t1 * t2,
              vjp=(lambda xp, g: g, lambda xp, g, t2, value: g * (t2 * value),
                   lambda xp, g, t1, value: g * (t1 * value)),
              node="AddcmulBackward0", broadcasts=True, torch_names={"t1": "tensor1", "t2": "tensor2"})
_addcdiv = op(lambda xp, x, t1, t2, *, value: x + value * t1 / t2,
              vjp=(lambda xp, g: g, lambda xp, g, t2, value: g * (value / t2),
                   lambda xp, g, t1, t2, value: -g * (value * t1 / (t2 * t2))),
              node="AddcdivBackward0", broadcasts=True, torch_names={"t1": "tensor1", "t2": "tensor2"})

_ADDCDIV_INTEGERS = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true "
    "division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * "
    "dxdy.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
    "for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
    "tensor2), for all dtypes.")


def _addc_operands(name, input, tensor1, tensor2, deprecated, value):
    """The three tensors in their common dtype and `value` as PyTorch takes it."""
    if deprecated:  # the old overload (input, value, tensor1, tensor2), which PyTorch still takes with a warning
        if len(deprecated) != 1 or isinstance(tensor1, Tensor):
            raise TypeError(f"{name}() takes 3 positional arguments but {3 + len(deprecated)} were given")
        warn_once(f"This overload of {name} is deprecated:\n\t{name}(Tensor input, Number value, Tensor tensor1, "
                  f"Tensor tensor2, *, Tensor out = None)\nConsider using one of the following signatures "
                  f"instead:\n\t{name}(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, Tensor "
                  f"out = None)", stacklevel=3)
        value, tensor1, tensor2 = tensor1, tensor2, deprecated[0]
    for arg, pos, v in (("input", 1, input), ("tensor1", 2, tensor1), ("tensor2", 3, tensor2)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type_name(v)}")
    if isinstance(value, (Tensor, np.generic)):  # a 0-d tensor or a NumPy number: its Python number
        value = value.item()
    if not isinstance(value, (_int, _float)):
        raise TypeError(f"{name}(): argument 'value' must be Number, not {type_name(value)}")
    if name == "addcdiv" and all(t._data.dtype.kind in "biu" for t in (tensor1, tensor2)):
        raise RuntimeError(_ADDCDIV_INTEGERS)
    ts = (input, tensor1, tensor2)
    d = _dt.result_type_of([t.dtype for t in ts if t._data.ndim], [t.dtype for t in ts if not t._data.ndim], ())
    if name == "addcmul" and d.np.kind == "b":
        raise _not_implemented("addcmul_cpu_out", np.empty(0, bool))
    if d.np.kind in "iu" and not isinstance(value, bool):
        value = _int(value)  # an integer result takes the value as an integer (truncated), as PyTorch casts it
    return [t if t._data.dtype == d.np else t.to(d) for t in ts] + [value]


def addcmul(input, tensor1, tensor2, *deprecated, value=1, out=None):
    """input + value * tensor1 * tensor2, all three broadcasting."""
    x, t1, t2, value = _addc_operands("addcmul", input, tensor1, tensor2, deprecated, value)
    return _finish(_addcmul(x, t1, t2, value=value), out)


def addcdiv(input, tensor1, tensor2, *deprecated, value=1, out=None):
    """input + value * tensor1 / tensor2, all three broadcasting (tensor1 and tensor2 not both integers)."""
    x, t1, t2, value = _addc_operands("addcdiv", input, tensor1, tensor2, deprecated, value)
    return _finish(_addcdiv(x, t1, t2, value=value), out)


# -- two-tensor selection ---------------------------------------------------------------
def _tie_half(xp, g, x, y):
    # PyTorch splits the gradient evenly between tied operands of maximum/minimum.
    return xp.where(x == y, g / 2, g)


# The rows also take a Python number (the rules of other ops use them so under create_graph); the
# public maximum and minimum want two tensors, as PyTorch's do.
# The loser's gradient is masked out (where, not a product: NOTE [Masked gradients]), so where a NaN is
# involved both get it (PyTorch's rules).
_maximum = binary(lambda xp, x, y: xp.maximum(x, y),
                 vjp=(lambda xp, g, x, y: xp.where_or_zero(~(x < y), _tie_half(xp, g, x, y)),
                      lambda xp, g, x, y: xp.where_or_zero(~(x > y), _tie_half(xp, g, x, y))), node="MaximumBackward0")
_minimum = binary(lambda xp, x, y: xp.minimum(x, y),
                 vjp=(lambda xp, g, x, y: xp.where_or_zero(~(x > y), _tie_half(xp, g, x, y)),
                      lambda xp, g, x, y: xp.where_or_zero(~(x < y), _tie_half(xp, g, x, y))), node="MinimumBackward0")
# fmax/fmin ignore a NaN operand; a tie gives the whole gradient to the first (PyTorch's rules).
_fmax = binary(lambda xp, x, y: xp.fmax(x, y),
               vjp=(lambda xp, g, x, y: xp.where_or_zero((x >= y) | (y != y), g),
                    lambda xp, g, x, y: xp.where_or_zero(~((x >= y) | (y != y)), g)), node="FmaxBackward0")
_fmin = binary(lambda xp, x, y: xp.fmin(x, y),
               vjp=(lambda xp, g, x, y: xp.where_or_zero((x <= y) | (y != y), g),
                    lambda xp, g, x, y: xp.where_or_zero(~((x <= y) | (y != y)), g)), node="FminBackward0")


def maximum(input, other, *, out=None):
    """The larger of input and other, element-wise (NaN where either is NaN)."""
    _need_tensors("maximum", input, other)
    return _finish(_maximum(input, other), out)


def minimum(input, other, *, out=None):
    """The smaller of input and other, element-wise (NaN where either is NaN)."""
    _need_tensors("minimum", input, other)
    return _finish(_minimum(input, other), out)


def fmax(input, other, *, out=None):
    """The larger of input and other, element-wise; where one is NaN, the other."""
    _need_tensors("fmax", input, other)
    return _finish(_fmax(input, other), out)


def fmin(input, other, *, out=None):
    """The smaller of input and other, element-wise; where one is NaN, the other."""
    _need_tensors("fmin", input, other)
    return _finish(_fmin(input, other), out)


_where = op(lambda xp, condition, x, y: xp.where(condition, x, y),
            vjp=(None, lambda xp, g, condition: xp.where(condition, g, 0),
                 lambda xp, g, condition: xp.where(condition, 0, g)),
            node="WhereBackward0", broadcasts=True, torch_names={"condition": "condition"})


def where(condition, input=None, other=None, *, out=None):
    """input where condition holds, else other (both broadcast); with one argument, nonzero(as_tuple=True)."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not "
                        f"{type(condition).__name__}")
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype.type_name}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        d = _dt.result_type_of((), (), [_dt.scalar_dtype(v) for v in (input, other)])
        input, other = wrap(np.asarray(input, d.np)), wrap(np.asarray(other, d.np))
    x, y = as_operands(input, other)
    return _finish(_where(condition, x, y), out)


# PyTorch's formula from the nearer end (exact at both ends, and what inf and NaN give there).
_lerp = overloads(op, None, broadcasts=True, rows={
    "lerp.Scalar": dict(f=lambda xp, x, y, *, weight: x + weight * (y - x) if -0.5 < weight < 0.5 else
                        y - (y - x) * (1 - weight),
                        vjp=(lambda xp, g, weight: g * (1 - weight), lambda xp, g, weight: g * weight),
                        node="LerpBackward0"),
    "lerp.Tensor": dict(f=lambda xp, x, y, w: xp.where(xp.abs(w) < 0.5, x + w * (y - x), y - (y - x) * (1 - w)),
                        vjp=(lambda xp, g, w: g * (1 - w), lambda xp, g, w: g * w,
                             lambda xp, g, x, y, w: g * (y - x)),  # (w: PyTorch saves the weight)
                        node="LerpBackward1", pack_order=("w", "y", "x")),
})

_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                 "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                 "bool": "bool"}


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input); all tensors of one floating dtype, as in PyTorch."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor) or not isinstance(weight, (Tensor, int, float)):
        got = ", ".join(type(v).__name__ if not isinstance(v, Tensor) else "Tensor" for v in (input, end, weight))
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                        f" * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
                        f" * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n")
    d = input._data.dtype
    if isinstance(weight, Tensor) and weight._data.ndim == 0 and weight._data.dtype != d and d.kind == "f" \
            and weight._data.dtype.kind == "f":
        weight = weight.to(input.dtype)  # PyTorch lets a 0-d weight have another float dtype
    for name, v in (("end", end), ("weight", weight)):
        if isinstance(v, Tensor) and v._data.dtype != d:
            raise RuntimeError(f"expected dtype {_C_TYPE_NAMES[d.name]} for `{name}` but got dtype "
                               f"{_C_TYPE_NAMES[v._data.dtype.name]}")
    if d.kind != "f":
        raise _not_implemented("lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar",
                               input._data)
    if isinstance(weight, Tensor):
        return write_out(_lerp["lerp.Tensor"](input, end, weight), out)
    return write_out(_lerp["lerp.Scalar"](input, end, weight=weight), out)


# -- clamp ---------------------------------------------------------------------------------
# The gradient passes where the input lies inside [min, max], bounds included (PyTorch's
# convention); a tensor bound gets it where it is the result.
_clamp = overloads(op, None, rows={
    "clamp": dict(f=lambda xp, x, *, min, max: _clip(xp, x, min, max),
                  vjp=lambda xp, g, x, min, max: xp.where(_inside(x, min, max), g, 0), node="ClampBackward1"),
    "clamp.Tensor": dict(f=lambda xp, x, lo, hi: _clip(xp, x, lo, hi),
                         vjp=(lambda xp, g, x, lo, hi: xp.where(_inside(x, lo, hi), g, 0),
                              lambda xp, g, x, lo, hi: xp.where(_below(x, lo, hi), g, 0),
                              lambda xp, g, x, lo, hi: xp.where(_above(x, lo, hi), g, 0)),
                         node="ClampBackward0", broadcasts=True),
})
_clamp_min = overloads(op, None, rows={
    "clamp_min": dict(f=lambda xp, x, *, min: xp.maximum(x, min),
                      vjp=lambda xp, g, x, min: xp.where(x >= min, g, 0), node="ClampMinBackward0"),
    "clamp_min.Tensor": dict(f=lambda xp, x, lo: xp.maximum(x, lo),
                             vjp=(lambda xp, g, x, lo: xp.where(x >= lo, g, 0),
                                  lambda xp, g, x, lo: xp.where(x < lo, g, 0)),
                             node="ClampMinBackward1", broadcasts=True),
})
_clamp_max = overloads(op, None, rows={
    "clamp_max": dict(f=lambda xp, x, *, max: xp.minimum(x, max),
                      vjp=lambda xp, g, x, max: xp.where(x <= max, g, 0), node="ClampMaxBackward0"),
    "clamp_max.Tensor": dict(f=lambda xp, x, hi: xp.minimum(x, hi),
                             vjp=(lambda xp, g, x, hi: xp.where(x <= hi, g, 0),
                                  lambda xp, g, x, hi: xp.where(x > hi, g, 0)),
                             node="ClampMaxBackward1", broadcasts=True),
})


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
    return (x < lo) if hi is None else (x < lo) & (lo < hi)


def _above(x, lo, hi):
    return (x > hi) if lo is None else (x > hi) | (hi < lo)


def _clamp_operands(input, bounds):
    """input and the bounds in their common dtype (PyTorch's promotion): tensors when a bound is one."""
    bounds = [b.item() if isinstance(b, np.generic) else b for b in bounds]  # NumPy scalars as Python numbers
    ts = [input] + [b for b in bounds if isinstance(b, Tensor)]
    numbers = [b for b in bounds if b is not None and not isinstance(b, Tensor)]
    d = _dt.result_type_of([t.dtype for t in ts if t._data.ndim], [t.dtype for t in ts if not t._data.ndim],
                           [_dt.scalar_dtype(b) for b in numbers])
    x = input if input._data.dtype == d.np else input.to(d)
    if len(ts) == 1:
        return [x] + list(bounds)
    return [x] + [b if b is None else b.to(d) if isinstance(b, Tensor) else wrap(np.asarray(b, d.np))
                  for b in bounds]


def clamp(input, min=None, max=None, *, out=None):
    """Limit input to [min, max]; either bound may be a tensor, and when min > max the result is max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is not None and max is not None and isinstance(min, Tensor) != isinstance(max, Tensor):
        kinds = ", ".join("Tensor" if isinstance(v, Tensor) else type_name(v) for v in (input, min, max))
        raise TypeError(f"clamp() received an invalid combination of arguments - got ({kinds}), but expected one of:")
    x, lo, hi = _clamp_operands(input, (min, max))
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        return _finish(_clamp["clamp.Tensor"](x, lo, hi), out)
    return _finish(_clamp["clamp"](x, min=lo, max=hi), out)


clip = clamp


def clamp_min(input, min):
    """max(input, min), element-wise."""
    x, lo = _clamp_operands(input, (min,))
    return _clamp_min["clamp_min.Tensor"](x, lo) if isinstance(lo, Tensor) else _clamp_min["clamp_min"](x, min=lo)


def clamp_max(input, max):
    """min(input, max), element-wise."""
    x, hi = _clamp_operands(input, (max,))
    return _clamp_max["clamp_max.Tensor"](x, hi) if isinstance(hi, Tensor) else _clamp_max["clamp_max"](x, max=hi)


# -- without gradient ----------------------------------------------------------------------
_NUMBERS = (Tensor, int, float, bool, np.number, np.bool_)


def _compare(f, name):
    def compare(input, other, *, out=None):
        if not isinstance(other, _NUMBERS):
            return write_out(NotImplemented, out)  # `x == None` is False, as in PyTorch
        if not isinstance(input, Tensor):  # dxdy.eq(2, x); the operator `2 == x` reflects to x.__eq__(2)
            raise TypeError(f"{name}() received an invalid combination of arguments - got ({type_name(input)}, "
                            f"{type_name(other)}), but expected one of:\n * (Tensor input, Tensor other)\n"
                            f" * (Tensor input, Number other)")
        xa, ya, _, _ = _operands(compare, input, other, None)
        try:
            return write_out(wrap(f(xa, ya)), out)
        except ValueError:
            check_broadcast(xa, ya)
            raise
    compare.__name__ = name
    return compare


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    _need_tensors("equal", input, other)
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _same_dtype(name, input, other):
    _need_tensors(name, input, other)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{input.dtype.type_name} did not match {other.dtype.type_name}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, element-wise."""
    _same_dtype("isclose", input, other)
    check_broadcast(input._data, other._data)
    return wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when isclose holds everywhere."""
    _same_dtype("allclose", input, other)
    check_broadcast(input._data, other._data)
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _logical(f, name):
    def logical(input, other=None, *, out=None):
        if other is None:
            _need_tensors(name, input, input)
            return write_out(wrap(f(input._data)), out)
        _need_tensors(name, input, other)
        a, b = input._data, other._data
        try:
            return write_out(wrap(f(a, b)), out)
        except ValueError:
            check_broadcast(a, b)
            raise
    logical.__name__ = name
    return logical


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")
logical_not = _logical(np.logical_not, "logical_not")
isnan = _logical(np.isnan, "isnan")
isinf = _logical(np.isinf, "isinf")
isfinite = _logical(np.isfinite, "isfinite")
isposinf = _logical(np.isposinf, "isposinf")
isneginf = _logical(np.isneginf, "isneginf")
signbit = _logical(np.signbit, "signbit")


def _bitwise(f, name):
    def bitwise(input, other=None, *, out=None):
        if other is None:
            a = input._data
        else:
            a, b, _, _ = _operands(bitwise, input, other, None)
        for v in (a,) if other is None else (a, b):
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                raise _not_implemented(f"{name}_cpu", v)
        if other is None:
            return write_out(wrap(f(a)), out)
        try:
            return write_out(wrap(np.asarray(f(a, b))), out)
        except ValueError:
            check_broadcast(a, b)
            raise
    bitwise.__name__ = name
    return bitwise


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_not = _bitwise(np.invert, "bitwise_not")


# -- angles and special functions ---------------------------------------------------------------
# NumPy has no lgamma, digamma or erfinv: SciPy's are used when the program already imported it,
# otherwise the code below (series and Newton steps, in float64, cast back).
_DEG = math.pi / 180.0
deg2rad = unary(lambda xp, x: _floating(x) * _DEG, d=lambda xp: _DEG, node="Deg2RadBackward0")
rad2deg = unary(lambda xp, x: _floating(x) * (1 / _DEG), d=lambda xp: 1 / _DEG, node="Rad2DegBackward0")


def _lgamma1(v):
    try:
        return math.lgamma(v)
    except ValueError:  # a pole: 0, -1, -2, ...
        return math.inf


_lgamma_exact = np.frompyfunc(_lgamma1, 1, 1)


def _np_lgamma(x):
    special = sys.modules.get("scipy.special")
    if special is not None:
        return special.gammaln(x)
    return np.asarray(_lgamma_exact(x), np.float64).astype(x.dtype)


_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)  # B2, B4, ..., B14


def _shift(x):
    """How many unit steps take every finite x to at least 10 (where the asymptotic series is exact enough)."""
    finite = x[np.isfinite(x)]
    return int(max(0.0, math.ceil(10.0 - finite.min()))) if finite.size else 0


def _np_polygamma(n, x):
    """The n-th derivative of digamma (n >= 0), elementwise, for float x."""
    special = sys.modules.get("scipy.special")
    if special is not None:
        return special.psi(x) if n == 0 else special.polygamma(n, x).astype(x.dtype)
    a = np.asarray(x, np.float64)
    k = _shift(a)
    acc = np.zeros_like(a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j in range(k):  # psi^(n)(x) = psi^(n)(x + k) - (-1)^n n! sum_j (x + j)^-(n+1)
            acc += (a + j) ** -(n + 1.0)
        z = a + k
        if n == 0:
            s = np.log(z) - 0.5 / z
            for i, b in enumerate(_BERNOULLI, 1):
                s -= b / (2 * i) * z ** (-2.0 * i)
            r = s - acc
            nonpositive_int = (a <= 0) & (a == np.floor(a))
            r = np.where(nonpositive_int, np.where(a == 0, -np.copysign(np.inf, a), np.nan), r)
        else:
            # (-1)^(n+1) n! zeta(n+1, z), by Euler-Maclaurin.
            s = z ** (-float(n)) / n + 0.5 * z ** (-n - 1.0)
            rising = float(n + 1)  # (n+1)(n+2)...(n+2i-1) / (2i)!, built up step by step
            fact = 2.0
            for i, b in enumerate(_BERNOULLI, 1):
                s += b * rising / fact * z ** (-n - 2.0 * i)
                rising *= (n + 2 * i) * (n + 2 * i + 1)
                fact *= (2 * i + 1) * (2 * i + 2)
            sign = 1.0 if n % 2 else -1.0
            r = sign * math.factorial(n) * (s + acc)
            r = np.where((a <= 0) & (a == np.floor(a)), sign * np.inf, r)
    return np.asarray(r, x.dtype)


def _np_erfinv(y):
    special = sys.modules.get("scipy.special")
    if special is not None:
        return special.erfinv(y)
    a = np.asarray(y, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = -np.log((1.0 - a) * (1.0 + a))
        c = 2 / (math.pi * 0.147) - w / 2  # Winitzki's approximation, then Newton steps
        x = np.sign(a) * np.sqrt(np.maximum(np.sqrt(c * c + w / 0.147) - c, 0))
        for _ in range(4):  # Newton steps on erf(x) = y
            fine = np.isfinite(x)
            xf = np.where(fine, x, 0.0)
            step = (np.asarray(_erf(xf), np.float64) - a) / (_TWO_OVER_SQRT_PI * np.exp(-xf * xf))
            x = np.where(fine, xf - step, x)
        x = np.where(np.abs(a) == 1, np.sign(a) * np.inf, np.where(np.abs(a) > 1, np.nan, x))
    return np.asarray(x, y.dtype)


def _sinc_forward(xp, x):
    x = _floating(x)
    pix = xp.where(x == 0, 1.0, x * math.pi).astype(x.dtype, copy=False)
    return xp.where(x == 0, xp.asarray(1.0, x.dtype), xp.sin(pix) / pix).astype(x.dtype, copy=False)


def _sinc_d(xp, x):
    safe = xp.where(x == 0, 1.0, x)  # (a safe denominator: where's other branch still gets a gradient)
    pix = safe * math.pi
    # At 0 the derivative is 0, written as its Taylor series there, so that its own derivatives are right
    # too (sinc''(0) = -pi^2/3, where PyTorch's is NaN); `0.0 +` keeps the zero positive.
    at_zero = 0.0 + x * ((math.pi ** 4 / 30) * x * x - math.pi ** 2 / 3)
    return xp.where(x == 0, at_zero, (xp.cos(pix) * pix - xp.sin(pix)) / (pix * safe))


lgamma = unary(lambda xp, x: _np_lgamma(_floating(x)), d=lambda xp, x: xp.digamma(x), node="LgammaBackward0")
digamma = unary(lambda xp, x: _np_polygamma(0, _floating(x)), d=lambda xp, x: xp.polygamma(1, x),
                node="DigammaBackward0")
# The derivative recomputes erfinv(x), as PyTorch's does: its node saves x, not the result.
erfinv = unary(lambda xp, x: _np_erfinv(_floating(x)),
               d=lambda xp, x: (math.sqrt(math.pi) / 2) * xp.exp(xp.erfinv(x) ** 2), node="ErfinvBackward0")
sinc = unary(_sinc_forward, d=_sinc_d, node="SincBackward0")
_polygamma = op(lambda xp, x, *, n: _np_polygamma(n, x),
                vjp=lambda xp, g, x, n: g * xp.polygamma(n + 1, x), node="PolygammaBackward0")


def _register_special():
    numpy_ns.digamma = lambda x: _np_polygamma(0, x)
    numpy_ns.polygamma = _np_polygamma
    numpy_ns.erfinv = _np_erfinv
    tensor_ns.digamma = digamma
    tensor_ns.erfinv = erfinv
    tensor_ns.polygamma = lambda n, x: _polygamma(x, n=n)


_register_special()

name_ops(globals())

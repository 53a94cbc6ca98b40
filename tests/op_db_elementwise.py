"""Op table rows: element-wise ops, reductions and conversions.

Every float array of a sample becomes a leaf that requires grad (when the row has
grad=True); integer and bool arrays, and `NoGrad(array)`, do not. Integer and bool
samples run once, under float64, so they are not repeated per float dtype.

Rows restricted to dtypes=("float32",) hold points where the derivative takes a
convention (clamp at its bounds, relu at 0, ties of max along a dim, 0 ** y): there
gradients are compared with PyTorch only, since finite differences (gradcheck,
which runs in float64) see a kink there.
"""
import math

import numpy as np

from op_info import OpInfo, Sample, NoGrad

NAN, INF = float("nan"), float("inf")


def S(*args, name="", **kwargs):
    return Sample(tuple(args), kwargs, name=name)


def _ints(make, shape, lo=-4, hi=5, dtype="int64"):
    return make(shape, lo, hi, dtype=dtype)


def _bools(make, shape):
    return make(shape, dtype="bool")


def _const(values, dtype):
    return np.array(values, dtype=dtype)


def _tied(make, shape):
    """Rows r - 0.5, ..., r - 0.5, r, ..., r with r drawn per row: ties at each row's minimum and maximum."""
    row = make(shape[:-1] + (1,))
    a = np.repeat(row, shape[-1], axis=-1)
    a[..., :shape[-1] // 2] -= 0.5
    return a


# -- sample makers ---------------------------------------------------------------------------------------
def unary(lo=None, hi=None, ints=True, bools=False, **kwargs):
    """0-d, 2-d, zero-size and non-contiguous inputs; an int64 (and bool) one under float64."""
    def samples(make, dtype):
        out = [S(make((), lo, hi), name="0-d", **kwargs), S(make((2, 3), lo, hi), **kwargs),
               S(make((0, 3), lo, hi), name="empty", **kwargs),
               S(make.noncontig((3, 2), lo, hi), name="noncontig", **kwargs)]
        if dtype == "float64" and ints:
            out.append(S(_ints(make, (2, 3), math.floor(lo if lo is not None else -2),
                               math.ceil(hi if hi is not None else 3)), name="int64", **kwargs))
        if dtype == "float64" and bools:
            out.append(S(_bools(make, (2, 3)), name="bool", **kwargs))
        return out
    return samples


def binary(lo=None, hi=None, lo2=None, hi2=None, scalar=1.5, ints=True, int_scalar=2):
    """Broadcasting pairs (one way, both ways, 0-d with n-d), zero-size, non-contiguous, a Python number,
    and under float64 a float tensor with an int tensor and int tensors alone."""
    lo2 = lo if lo2 is None else lo2
    hi2 = hi if hi2 is None else hi2

    def samples(make, dtype):
        out = [S(make((2, 3), lo, hi), make((3,), lo2, hi2), name="broadcast"),
               S(make((2, 1), lo, hi), make((1, 3), lo2, hi2), name="outer"),
               S(make((), lo, hi), make((2, 3), lo2, hi2), name="0-d"),
               S(make((0, 3), lo, hi), make((3,), lo2, hi2), name="empty"),
               S(make.noncontig((3, 2), lo, hi), make((3, 2), lo2, hi2), name="noncontig")]
        if scalar is not None:
            out.append(S(make((2, 3), lo, hi), scalar, name="number"))
        if dtype == "float64" and ints:
            out.append(S(make((2, 3), lo, hi), _ints(make, (3,), 1, 4, "int32"), name="float-int"))
            out.append(S(_ints(make, (2, 3), 1, 5), _ints(make, (3,), 1, 4, "int8"), name="ints"))
            if int_scalar is not None:
                out.append(S(make((2, 3), lo, hi), int_scalar, name="int-number"))
        return out
    return samples


def _special(dtype):
    return _const([[NAN, INF, -INF], [1.5, -0.0, -2.0]], dtype)


def compare_samples(make, dtype):
    """Comparisons: whole numbers, so that equal elements occur; numbers, ints and bools too."""
    a, b = np.round(make((2, 3), -2, 2)), np.round(make((3,), -2, 2))
    out = [S(a, b, name="broadcast"), S(a, 1.0, name="number"), S(np.array(np.round(make((), -1, 1))), b, name="0-d"),
           S(make((0, 3)), b, name="empty")]
    if dtype == "float64":
        out += [S(a, _ints(make, (3,), -2, 3), name="float-int"),
                S(_bools(make, (2, 3)), _ints(make, (3,), 0, 2), name="bool-int"),
                S(_ints(make, (2, 3), 0, 3, "uint8"), -1, name="uint8-negative")]
    return out


def logical_samples(make, dtype):
    a = np.round(make((2, 3), -1, 1))
    out = [S(a, np.round(make((3,), -1, 1)), name="broadcast"), S(make((0, 3)), make((3,)), name="empty")]
    if dtype == "float64":
        out += [S(_ints(make, (2, 3), -1, 2), _bools(make, (2, 3)), name="int-bool")]
    return out


def bitwise_samples(make, dtype):
    return [S(_ints(make, (2, 3), -8, 8), _ints(make, (3,), 0, 8, "int8"), name="int64-int8"),
            S(_bools(make, (2, 3)), _bools(make, (3,)), name="bool"),
            S(_ints(make, (2, 3), 0, 16, "uint8"), 6, name="number"),
            S(_ints(make, (2, 3), -8, 8, "int16"), _ints(make, (), 0, 8), name="0-d")]


def reduce_samples(full=True, keepdim=True, tuple_dims=True, empty=True, ints=True, lo=None, hi=None):
    """All elements, one dim, a negative dim with keepdim, a tuple of dims, 0-d, zero-size, non-contiguous."""
    def samples(make, dtype):
        out = [S(make((2, 3, 4), lo, hi), 1, name="dim")]
        if full:
            out.append(S(make((2, 3), lo, hi), name="all"))
        if keepdim:
            out.append(S(make.noncontig((3, 2), lo, hi), -1, True, name="noncontig-keepdim"))
        if tuple_dims:
            out.append(S(make((2, 3, 4), lo, hi), (0, 2), name="dims"))
        out.append(S(make((), lo, hi), 0, name="0-d"))
        if empty:
            out.append(S(make((0, 3), lo, hi), 1, name="empty"))
        if dtype == "float64" and ints:
            out.append(S(_ints(make, (2, 3), 0, 4), 0, name="int64"))
        return out
    return samples


# -- element-wise -------------------------------------------------------------------------------------------
def _pow_samples(make, dtype):
    out = [S(make((2, 3), 0.5, 2.0), make((3,), -2.0, 2.0), name="tensor**tensor"),
           S(make((), 0.5, 2.0), make((2, 3), -2.0, 2.0), name="0-d**tensor"),
           S(make((2, 3), -2.0, 2.0), 3, name="tensor**3"),
           S(make((2, 3), 0.5, 2.0), -1.5, name="tensor**-1.5"),
           S(make((0, 3), 0.5, 2.0), 0.5, name="empty**0.5"),
           S(make((2, 3)), 0, name="tensor**0"),
           S(2.5, make((2, 3)), name="number**tensor"),
           S(0.0, make((2, 3), 0.5, 2.0), name="zero**tensor")]
    if dtype == "float64":
        out += [S(_ints(make, (2, 3), -3, 4), 2, name="int**2"), S(_ints(make, (2, 3), 1, 4), 0.5, name="int**0.5"),
                S(_ints(make, (2, 3), -3, 4), _ints(make, (3,), -2, 3), name="int**int"),
                S(2, _ints(make, (2, 3), -2, 4), name="2**int"),
                S(make((2, 3), 0.5, 2.0), _ints(make, (3,), -2, 3), name="float**int"),
                S(_bools(make, (2, 3)), 2, name="bool**2")]
    return out


def _pow_edges(make, dtype):
    # 0 ** y with y > 0 (d/dx = 0 there, d/dy taken as 0), and x ** 0 with x = 0.
    x = _const([[0.0, 0.0, 1.5], [0.0, 2.0, 0.0]], dtype)
    return [S(x, _const([[2.0, 0.5, 0.0], [0.0, 1.0, 3.0]], dtype), name="zero-base"),
            S(make((2, 3), 0.5, 2.0), _const([0.0, 1.0, -1.0], dtype), name="zero-exponent"),
            S(x, 2.5, name="zero-base-number"), S(x, 0.0, name="zero-exponent-number")]


def _divide_samples(rounding_mode):
    def samples(make, dtype):
        out = binary(-3.0, 3.0, 0.5, 2.0, scalar=-1.5, int_scalar=None)(make, dtype)
        for s in out:
            s.kwargs = {"rounding_mode": rounding_mode}
        if dtype == "float64":
            out.append(S(_ints(make, (2, 3), -7, 8), _ints(make, (3,), 1, 4) * np.array([1, -1, 1]),
                         name="ints-signs", rounding_mode=rounding_mode))
        return out
    return samples


def _division_samples(scalar=-1.5):
    def samples(make, dtype):
        out = binary(-3.0, 3.0, 0.5, 2.0, scalar=scalar, int_scalar=3)(make, dtype)
        out.append(S(make((2, 3), -3.0, 3.0), make((3,), -2.0, -0.5), name="negative-divisor"))
        if dtype == "float64":
            out.append(S(_ints(make, (2, 3), -7, 8), _ints(make, (3,), 1, 4) * np.array([1, -1, 1]),
                         name="ints-signs"))
        return out
    return samples


def _where_samples(make, dtype):
    c = _bools(make, (2, 3))
    out = [S(c, make((2, 3)), make((3,)), name="broadcast"), S(_bools(make, (3,)), make((2, 1)), make(()), name="all"),
           S(c, make((2, 3)), 0.0, name="number"), S(c, 2.0, make((2, 3)), name="number-first"),
           S(_bools(make, (0, 3)), make((0, 3)), make((3,)), name="empty")]
    if dtype == "float64":
        out += [S(c, make((2, 3)), _ints(make, (3,)), name="float-int"), S(c, 1.0, 0, name="numbers")]
    return out


def _clamp_samples(make, dtype):
    x = make((2, 3))
    return [S(x, -0.5, 0.5), S(x, min=-0.5, name="min"), S(x, max=0.5, name="max"),
            S(x, 0.5, -0.5, name="min>max"), S(make(()), -0.5, 0.5, name="0-d"),
            S(make((2, 3)), make((3,), -1, 0), make((2, 1), 0, 1), name="tensors"),
            S(make((2, 3)), make((3,), -1, 1), make((3,), -1, 1), name="crossing-tensors"),
            S(make((2, 3)), min=make((3,)), name="min-tensor")] + \
        ([S(_ints(make, (2, 3)), -1, 2, name="int"), S(_ints(make, (2, 3)), -0.5, 2.5, name="int-float-bounds"),
          S(_bools(make, (2, 3)), 0, name="bool")] if dtype == "float64" else [])


def _clamp_edges(make, dtype):
    # The input exactly at the bounds: PyTorch passes the gradient there; a tensor bound equal to the other.
    x = _const([[-0.5, 0.0, 0.5], [1.0, -1.0, 0.5]], dtype)
    return [S(x, -0.5, 0.5, name="at-bounds"), S(x, _const([-0.5, 0.0, 0.5], dtype),
                                                 _const([0.5, 0.0, 0.5], dtype), name="tensor-bounds")]


def _minmax_samples(make, dtype):
    return [S(make((2, 3)), make((3,)), name="broadcast"), S(make((2, 1)), make((1, 3)), name="outer"),
            S(make(()), make((2, 3)), name="0-d"),
            S(make((0, 3)), make((3,)), name="empty")] + \
        ([S(make((2, 3)), _ints(make, (3,)), name="float-int"), S(_ints(make, (2, 3)), _ints(make, (3,), 0, 3, "int8"),
                                                                   name="ints")] if dtype == "float64" else [])


def _minmax_edges(make, dtype):
    a = make((2, 3))
    b = a[0].copy()  # ties: the first row of a equals b, and the gradient is shared evenly
    b[1] += 1.0
    return [S(a, b, name="ties"), S(_const([1.0, NAN, NAN], dtype), _const([NAN, 2.0, NAN], dtype), name="nan")]


def _fmax_samples(make, dtype):
    a = make((2, 3))
    a[0, 0] = NAN
    b = make((3,))
    b[2] = NAN
    return [S(a, b, name="nan"), S(make((2, 1)), make((1, 3)), name="outer"), S(make(()), make((2, 3)), name="0-d")]


def _fmax_edges(make, dtype):
    a = make((2, 3))
    return [S(a, a[1].copy(), name="ties")]


def _lerp_samples(make, dtype):
    return [S(make((2, 3)), make((3,)), 0.3, name="number"), S(make((2, 3)), make((3,)), 1.5, name="extrapolate"),
            S(make((2, 3)), make((2, 3)), make((3,), 0, 1), name="tensor-weight"),
            S(make(()), make((2, 3)), make((2, 1)), name="0-d"), S(make((0, 3)), make((3,)), 0.5, name="empty")]


def _nan_to_num_samples(make, dtype):
    return [S(_special(dtype), name="default"), S(_special(dtype), 0.5, 10.0, -10.0, name="given"),
            S(_special(dtype), posinf=1.0, name="posinf"), S(make((2, 3)), name="finite")] + \
        ([S(_ints(make, (2, 3)), name="int64")] if dtype == "float64" else [])


def _predicate_samples(make, dtype):
    return [S(_special(dtype), name="special"), S(make((0, 3)), name="empty")] + \
        ([S(_ints(make, (2, 3)), name="int64"), S(_bools(make, (3,)), name="bool")] if dtype == "float64" else [])


def _isclose_samples(make, dtype):
    a = make((2, 3))
    b = a + _const([0.0, 1e-6, 1e-3], dtype)
    b[1, 0] = NAN
    a[1, 0] = NAN
    return [S(a, b, name="default"), S(a, b, rtol=1e-2, name="rtol"), S(a, b, equal_nan=True, name="equal-nan"),
            S(a, b, atol=1e-5, rtol=0.0, name="atol")]


def _sign_samples(make, dtype):
    return unary()(make, dtype) + [S(_ints(make, (2, 3)), name="int64"), S(_bools(make, (3,)), name="bool")]


def _sign_edges(make, dtype):
    # sign jumps at 0 (its gradient is 0 there all the same), and sign(NaN) is 0 in PyTorch.
    return [S(_const([-1.5, 0.0, 2.0, -0.0, NAN], dtype), name="zeros-nan")]



# -- log-sum-exp pairs, xlogy, hypot, copysign, heaviside, dist, addcmul, addcdiv ---------------------------
def _special_pair(dtype):
    """Zeros of both signs, infinities, NaN and ordinary values, paired so that each meets each kind."""
    x = _const([0.0, 0.0, -INF, INF, INF, -INF, NAN, 1.0, 0.0, -0.0, 2.0, -1.5], dtype)
    y = _const([0.0, -INF, -INF, INF, -INF, 3.0, 1.0, NAN, 1.0, -1.0, -0.0, 0.5], dtype)
    return x, y


def _float_pairs(lo=None, hi=None, lo2=None, hi2=None):
    """binary() for ops with float kernels only and no numbers: broadcasting pairs, and under float64 a float
    tensor with an int one either way; float32 with float64 under float32."""
    def samples(make, dtype):
        out = binary(lo, hi, lo2, hi2, scalar=None, ints=False)(make, dtype)
        if dtype == "float64":
            out.append(S(make((2, 3), lo, hi), _ints(make, (3,), 1, 4, "int32"), name="float-int"))
            out.append(S(_ints(make, (3,), 1, 4), make((2, 3), lo2 if lo2 is not None else lo,
                                                        hi2 if hi2 is not None else hi), name="int-float"))
        else:
            out.append(S(make((2, 3), lo, hi), make((3,), lo2, hi2, dtype="float64"), name="float32-float64"))
        return out
    return samples


def _pair_edges(make, dtype):
    x, y = _special_pair(dtype)
    return [S(x, y, name="special"), S(y, x, name="special-swapped")]


def _xlogy_samples(make, dtype):
    out = binary(-2.0, 2.0, 0.1, 3.0, scalar=1.5, int_scalar=2)(make, dtype)
    out += [S(_const([[0.0, 1.0, 0.0], [0.0, 2.0, -1.0]], dtype), make((3,), 0.1, 3.0), name="zero-x"),
            S(2.5, make((2, 3), 0.1, 3.0), name="number-tensor"), S(0.0, make((2, 3), 0.1, 3.0), name="zero-tensor"),
            S(make((2, 3)), 0.5, name="tensor-fraction")]
    if dtype == "float64":
        out += [S(2, _ints(make, (2, 3), 1, 4), name="int-number-int"), S(_bools(make, (2, 3)), 1.5, name="bool")]
    return out


def _xlogy_edges(make, dtype):
    # 0 log 0 = 0 with PyTorch's gradients there; negative and NaN numbers; and infinite or NaN tensors.
    x, y = _special_pair(dtype)
    return _pair_edges(make, dtype) + [S(x, 0.0, name="number-zero"), S(x, -1.0, name="number-negative"),
                                       S(x, NAN, name="number-nan"), S(x, 2.0, name="number"),
                                       S(0.0, y, name="zero-number-first"), S(-2.0, y, name="number-first")]


def _copysign_samples(make, dtype):
    out = binary(scalar=-1.5, int_scalar=-2)(make, dtype) + [S(make((2, 3)), -0.0, name="negative-zero")]
    if dtype == "float64":
        out += [S(_bools(make, (2, 3)), _bools(make, (3,)), name="bools"), S(_ints(make, (2, 3)), 2.5, name="int-float")]
    return out


def _copysign_edges(make, dtype):
    x, _ = _special_pair(dtype)
    return _pair_edges(make, dtype) + [S(x, -0.0, name="number-negative-zero"), S(x, 1, name="number")]


def _heaviside_samples(make, dtype):
    x = np.round(make((2, 3), -1.5, 1.5))  # zeros among them
    out = [S(x, make((3,)), name="broadcast"), S(make(()), make((2, 3)), name="0-d"),
           S(_special(dtype), make((1,)), name="special"), S(make((0, 3)), make((3,)), name="empty")]
    if dtype == "float64":
        out += [S(_ints(make, (2, 3), -2, 3), _ints(make, (3,), 5, 9), name="int64"),
                S(_bools(make, (2, 3)), _bools(make, (3,)), name="bool")]
    return out


def _dist_samples(make, dtype):
    a, b = make((2, 3)), make((3,))
    out = [S(a, b, name="2"), S(a, b, 1, name="1"), S(a, b, INF, name="inf"), S(a, b, -INF, name="-inf"),
           S(a, b, 0.5, name="0.5"), S(a, b, 3, name="3"), S(a, b, 1.5, name="1.5"), S(a, b, -1, name="-1"),
           S(a, NoGrad(b), 0, name="0"), S(make((2, 1)), make((1, 3)), 2, name="outer"),
           S(make(()), make((2, 3)), 3, name="0-d"), S(make(()), make(()), name="0-d-both"),
           S(make((0, 3)), make((3,)), name="empty"), S(make.noncontig((3, 2)), make((3, 2)), p=4, name="noncontig")]
    if dtype == "float64":
        out += [S(make((2, 3)), _ints(make, (3,)), name="float-int")]
    else:
        out += [S(make((2, 3)), make((3,), dtype="float64"), name="float32-float64")]
    return out


def _dist_edges(make, dtype):
    # Zero difference (the gradient is 0 there), ties of the largest and of the smallest |difference|, NaN.
    a = _const([[3.0, -3.0, 1.0], [0.0, 2.0, -1.0]], dtype)
    zero = np.zeros((2, 3), dtype)
    return [S(a, a.copy(), 2, name="zero-2"), S(a, a.copy(), 3, name="zero-3"), S(a, a.copy(), 1.5, name="zero-1.5"),
            S(a, a.copy(), 0.5, name="zero-0.5"), S(a, zero, INF, name="inf-ties"), S(a, zero, -INF, name="-inf-ties"),
            S(a, zero, 1, name="1-zero-element"), S(a, zero, 0.5, name="0.5-zero-element"),
            S(_const([1.0, NAN, 0.0], dtype), _const([0.0, 1.0, 0.0], dtype), INF, name="inf-nan"),
            S(_const([1.0, NAN, 0.0], dtype), _const([0.0, 1.0, 0.0], dtype), 2, name="2-nan")]


def _addc_samples(div):
    def samples(make, dtype):
        def t2(shape):  # a divisor away from zero
            return make(shape, 0.5, 2.0) if div else make(shape)
        out = [S(make((2, 3)), make((3,)), t2((2, 3)), name="broadcast"),
               S(make((2, 3)), make((2, 1)), t2((3,)), value=-0.5, name="value"),
               S(make(()), make((2, 1)), t2((1, 3)), value=2, name="0-d-input"),
               S(make((2, 1, 1)), make((3, 1)), t2((4,)), name="all-broadcast"),
               S(make((2, 3)), make(()), t2(()), value=True, name="0-d-bool-value"),
               S(make((0, 3)), make((3,)), t2((0, 1)), name="empty"),
               S(make.noncontig((3, 2)), make((3, 2)), t2((3, 2)), value=1.5, name="noncontig"),
               S(make((2, 3)), make((3,)), make((2, 3), -2.0, -0.5), value=-1.5, name="negative")]
        if dtype == "float64":
            out += [S(make((2, 3)), _ints(make, (3,), 1, 4), t2((2, 3)), name="float-int"),
                    S(_ints(make, (2, 3)), make((3,)), t2((3,)), value=2, name="int-float-float")]
            if not div:
                out += [S(_ints(make, (2, 3)), _ints(make, (3,)), _ints(make, (2, 3), dtype="int32"), value=2.5,
                          name="ints-float-value")]
        else:
            out += [S(make((2, 3)), make((3,), dtype="float64"), t2((3,)), name="float32-float64"),
                    S(make((2, 3)), make((), dtype="float64"), t2((3,)), name="0-d-float64")]
        return out
    return samples


ELEMENTWISE = [
    # arithmetic
    OpInfo("add", lambda make, dtype: binary()(make, dtype) + [
        S(make((2, 3)), make((3,)), alpha=2.5, name="alpha"), S(make((2, 3)), 2, alpha=-1, name="number-alpha")] +
        ([S(_bools(make, (2, 3)), _bools(make, (3,)), name="bools")] if dtype == "float64" else [])),
    OpInfo("sub", lambda make, dtype: binary()(make, dtype) + [S(make((2, 3)), make((3,)), alpha=2, name="alpha")]),
    OpInfo("subtract", binary(scalar=-0.5, ints=False)),
    OpInfo("rsub", lambda make, dtype: [S(make((2, 3)), make((3,)), name="tensors"),
                                        S(make((2, 3)), 1.5, name="number"),
                                        S(make((2, 3)), make((3,)), alpha=2.0, name="alpha"),
                                        S(make(()), make((2, 3)), name="0-d")]),
    OpInfo("mul", binary()),
    OpInfo("multiply", binary(scalar=-2.0, ints=False)),
    OpInfo("div", lambda make, dtype: binary(lo2=0.5, hi2=2.0)(make, dtype) +
           ([S(_ints(make, (2, 3)), 4, name="int-number")] if dtype == "float64" else [])),
    OpInfo("div", _divide_samples("floor"), exact_node=None),
    OpInfo("div", _divide_samples("trunc")),
    OpInfo("divide", binary(lo2=0.5, hi2=2.0, ints=False)),
    OpInfo("true_divide", binary(lo2=-2.0, hi2=-0.5, ints=False)),
    OpInfo("floor_divide", _division_samples(), grad=False),
    OpInfo("remainder", _division_samples()),
    OpInfo("remainder", lambda make, dtype: [S(2.5, make((2, 3), 0.5, 2.0), name="number%tensor")], grad=False),
    OpInfo("fmod", _division_samples()),
    OpInfo("pow", _pow_samples),
    OpInfo("pow", _pow_edges, dtypes=("float32",)),
    OpInfo("float_power", lambda make, dtype: [
        S(make((2, 3), 0.5, 2.0), make((3,)), name="tensors"), S(make((2, 3)), 2, name="number"),
        S(2.0, make((2, 3)), name="number-first")] +
        ([S(_ints(make, (2, 3), 1, 4), 2, name="int")] if dtype == "float64" else [])),
    OpInfo("neg", unary()),
    OpInfo("negative", unary(ints=False)),
    OpInfo("reciprocal", unary(0.5, 2.0, bools=True)),
    OpInfo("abs", unary()),
    OpInfo("abs", lambda make, dtype: [S(_const([-1.5, 0.0, 2.0], dtype), name="zero")], dtypes=("float32",)),
    OpInfo("absolute", unary(ints=False)),
    OpInfo("sign", _sign_samples),
    OpInfo("sign", _sign_edges, dtypes=("float32",)),
    # PyTorch returns sgn's zero gradient as a ZeroTensor, which the harness can read in float32 only.
    OpInfo("sgn", lambda make, dtype: _sign_samples(make, dtype) + _sign_edges(make, dtype), dtypes=("float32",)),
    # math functions: domains inside the function's
    OpInfo("exp", unary(bools=True)),
    OpInfo("exp2", unary()),
    OpInfo("expm1", unary()),
    OpInfo("log", unary(0.1, 3.0, bools=True)),
    OpInfo("log2", unary(0.1, 3.0)),
    OpInfo("log10", unary(0.1, 3.0)),
    OpInfo("log1p", unary(-0.5, 2.0)),
    OpInfo("sqrt", unary(0.1, 3.0, bools=True)),
    OpInfo("rsqrt", unary(0.1, 3.0)),
    OpInfo("square", unary(bools=True)),
    OpInfo("sin", unary()),
    OpInfo("cos", unary()),
    OpInfo("tan", unary(-1.2, 1.2)),
    OpInfo("asin", unary(-0.9, 0.9)),
    OpInfo("acos", unary(-0.9, 0.9)),
    OpInfo("atan", unary()),
    OpInfo("arcsin", unary(-0.9, 0.9, ints=False)),
    OpInfo("arccos", unary(-0.9, 0.9, ints=False)),
    OpInfo("arctan", unary(ints=False)),
    OpInfo("sinh", unary()),
    OpInfo("cosh", unary()),
    OpInfo("tanh", unary(bools=True)),
    OpInfo("asinh", unary()),
    OpInfo("acosh", unary(1.1, 3.0)),
    OpInfo("atanh", unary(-0.9, 0.9)),
    OpInfo("arcsinh", unary(ints=False)),
    OpInfo("arccosh", unary(1.1, 3.0, ints=False)),
    OpInfo("arctanh", unary(-0.9, 0.9, ints=False)),
    OpInfo("sigmoid", unary(-4.0, 4.0, bools=True)),
    OpInfo("logit", lambda make, dtype: unary(0.05, 0.95, ints=False)(make, dtype) +
           [S(make((2, 3), 0.05, 0.95), 0.2, name="eps")]),
    OpInfo("relu", unary()),
    OpInfo("relu", lambda make, dtype: [S(_const([-1.0, 0.0, 2.0], dtype), name="zero")], dtypes=("float32",)),
    OpInfo("erf", unary()),
    OpInfo("erfc", unary()),
    OpInfo("atan2", binary(scalar=None, int_scalar=None)),
    OpInfo("atan2", lambda make, dtype: [S(_const([0.0, 1.0, -0.0], dtype), _const([0.0, 0.0, 0.0], dtype),
                                           name="origin")], dtypes=("float32",)),
    OpInfo("arctan2", binary(scalar=None, ints=False, int_scalar=None)),
    # rounding: gradient zero (frac: one); samples stay away from whole numbers by chance
    OpInfo("floor", unary(-3.0, 3.0)),
    OpInfo("ceil", unary(-3.0, 3.0)),
    OpInfo("trunc", unary(-3.0, 3.0)),
    OpInfo("fix", unary(-3.0, 3.0, ints=False)),
    OpInfo("round", lambda make, dtype: unary(-3.0, 3.0)(make, dtype) +
           [S(make((2, 3), -3.0, 3.0), decimals=1, name="decimals")]),
    OpInfo("round", lambda make, dtype: [S(_const([0.5, 1.5, 2.5, -0.5], dtype), name="half-to-even")],
           dtypes=("float32",)),
    OpInfo("frac", unary(-3.0, 3.0, ints=False)),
    OpInfo("nan_to_num", _nan_to_num_samples),
    # selection
    OpInfo("clamp", _clamp_samples),
    OpInfo("clamp", _clamp_edges, dtypes=("float32",)),
    OpInfo("clip", lambda make, dtype: [S(make((2, 3)), -0.5, 0.5), S(make((2, 3)), make((3,), -1, 0), None)]),
    OpInfo("clamp_min", lambda make, dtype: [S(make((2, 3)), 0.0), S(make((2, 3)), make((3,)), name="tensor"),
                                             S(make(()), make((2, 3)), name="0-d")]),
    OpInfo("clamp_max", lambda make, dtype: [S(make((2, 3)), 0.0), S(make((2, 3)), make((3,)), name="tensor"),
                                             S(_ints(make, (2, 3)), 0.5, name="int")] if dtype == "float64" else
           [S(make((2, 3)), 0.0), S(make((2, 3)), make((3,)), name="tensor")]),
    OpInfo("maximum", _minmax_samples),
    OpInfo("minimum", _minmax_samples),
    OpInfo("maximum", _minmax_edges, dtypes=("float32",)),
    OpInfo("minimum", _minmax_edges, dtypes=("float32",)),
    OpInfo("fmax", _fmax_samples),
    OpInfo("fmin", _fmax_samples),
    OpInfo("fmax", _fmax_edges, dtypes=("float32",)),
    OpInfo("fmin", _fmax_edges, dtypes=("float32",)),
    OpInfo("where", _where_samples, method=False),
    OpInfo("lerp", _lerp_samples),
    # pairs of float kernels, xlogy, copysign, heaviside, dist, addcmul, addcdiv
    OpInfo("logaddexp", _float_pairs()),
    OpInfo("logaddexp", _pair_edges, dtypes=("float32",)),
    OpInfo("logaddexp", lambda make, dtype: [S(make((2, 3), -50, 50), make((3,), -50, 50), name="far-apart")]),
    OpInfo("logaddexp2", _float_pairs()),
    OpInfo("logaddexp2", _pair_edges, dtypes=("float32",)),
    OpInfo("xlogy", _xlogy_samples),
    OpInfo("xlogy", _xlogy_edges, dtypes=("float32",)),
    OpInfo("hypot", _float_pairs()),
    OpInfo("hypot", lambda make, dtype: _pair_edges(make, dtype) + [
        S(_const([0.0, 0.0, 3.0], dtype), _const([0.0, -2.0, 0.0], dtype), name="origin")], dtypes=("float32",)),
    OpInfo("copysign", _copysign_samples),
    OpInfo("copysign", _copysign_edges, dtypes=("float32",)),
    OpInfo("heaviside", _heaviside_samples, grad=False),
    OpInfo("dist", _dist_samples),
    OpInfo("dist", _dist_edges, dtypes=("float32",)),
    OpInfo("addcmul", _addc_samples(div=False)),
    OpInfo("addcdiv", _addc_samples(div=True)),
    # comparisons and predicates: no gradient
    *[OpInfo(name, compare_samples, grad=False) for name in
      ("eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less", "less_equal", "greater", "greater_equal")],
    OpInfo("equal", lambda make, dtype: [S(make((2, 3)), make((2, 3)), name="different")] +
           [S(a, a.copy(), name="same") for a in [make((2, 3))]] +
           [S(make((2, 3)), make((3,)), name="shapes")], grad=False),
    OpInfo("isclose", _isclose_samples, grad=False),
    OpInfo("allclose", lambda make, dtype: _isclose_samples(make, dtype) +
           [S(a, a + 1e-9, name="close") for a in [make((2, 3))]], grad=False),
    *[OpInfo(name, logical_samples, grad=False) for name in ("logical_and", "logical_or", "logical_xor")],
    OpInfo("logical_not", lambda make, dtype: [S(np.round(make((2, 3), -1, 1)))] +
           ([S(_ints(make, (3,), -1, 2)), S(_bools(make, (3,)))] if dtype == "float64" else []), grad=False),
    *[OpInfo(name, _predicate_samples, grad=False) for name in
      ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit")],
    *[OpInfo(name, bitwise_samples, grad=False, dtypes=("int64",)) for name in
      ("bitwise_and", "bitwise_or", "bitwise_xor")],
    OpInfo("bitwise_not", lambda make, dtype: [S(_ints(make, (2, 3), -8, 8)), S(_bools(make, (3,))),
                                               S(_ints(make, (3,), 0, 200, "uint8"))], grad=False, dtypes=("int64",)),
    # Tensor-method spellings
    *[OpInfo(f"Tensor.{alias}", unary(lo, hi, ints=False), torch_name=f"Tensor.{alias}")
      for alias, lo, hi in (("arcsin", -0.9, 0.9), ("arccos", -0.9, 0.9), ("arctan", None, None),
                            ("arcsinh", None, None), ("arccosh", 1.1, 3.0), ("arctanh", -0.9, 0.9),
                            ("negative", None, None))],
    OpInfo("Tensor.where", lambda make, dtype: [S(make((2, 3)), _bools(make, (2, 3)), make((3,)))]),
]


# -- reductions ---------------------------------------------------------------------------------------------
def _sum_samples(make, dtype):
    return reduce_samples()(make, dtype) + [S(make((2, 3)), (), name="empty-dims")] + \
        ([S(_bools(make, (2, 3)), name="bool"), S(_ints(make, (2, 3)), 1, dtype=float, name="int-dtype")]
         if dtype == "float64" else [S(make((2, 3)), 1, dtype=float, name="dtype")])


def _with_zeros(make, dtype):
    a = make((3, 4), 0.5, 1.5) * np.sign(make((3, 4)))
    a[0, 1] = 0.0  # one zero in row 0
    a[1, 0] = a[1, 2] = 0.0  # two zeros in row 1
    return a


def _prod_samples(make, dtype):
    return [S(make((2, 3), 0.5, 1.5), name="all"), S(_with_zeros(make, dtype), 1, name="zeros"),
            S(_with_zeros(make, dtype), name="all-zeros"), S(_with_zeros(make, dtype), 0, True, name="zeros-keepdim"),
            S(make(()), name="0-d"), S(make((0, 3)), 1, name="empty")] + \
        ([S(_ints(make, (2, 3), -3, 4), 1, name="int64"), S(_bools(make, (2, 3)), name="bool")]
         if dtype == "float64" else [])


def _max_samples(make, dtype):
    return [S(make((2, 3)), name="all"), S(make((2, 3, 4)), 1, name="dim"),
            S(make((2, 3)), -1, True, name="keepdim"), S(make(()), 0, name="0-d"),
            S(make((2, 3)), make((3,)), name="binary"),
            S(make.noncontig((3, 2)), 0, name="noncontig")] + \
        ([S(_ints(make, (2, 3)), 1, name="int64"), S(_bools(make, (2, 3)), name="bool")] if dtype == "float64" else [])


def _max_edges(make, dtype):
    # Ties: over all elements the gradient is shared evenly; along a dim it goes to the index reported
    # (the first), as in PyTorch.
    a = make((2, 3))
    return [S(_tied(make, (2, 4)), name="all-ties"), S(_tied(make, (2, 4)), 1, name="ties-dim"),
            S(a, a.copy(), name="binary-ties"),
            S(_const([1.0, NAN, 2.0, NAN], dtype), name="nan")]


def _amax_edges(make, dtype):
    return [S(_tied(make, (2, 4)), name="all-ties"), S(_tied(make, (2, 3, 4)), (0, 2), name="dims-ties"),
            S(_tied(make, (3, 4)), 1, True, name="dim-ties-keepdim")]


def _amax_samples(make, dtype):
    return [S(make((2, 3)), name="all"), S(make((2, 3, 4)), (0, 2), name="dims"),
            S(make((2, 3)), -1, True, name="keepdim"), S(make(()), name="0-d"),
            S(make((2, 0)), 0, name="empty-kept")] + \
        ([S(_ints(make, (2, 3)), 1, name="int64")] if dtype == "float64" else [])


def _arg_samples(make, dtype):
    a = np.round(make((3, 4), -2, 2))  # whole numbers: ties, where the first index wins
    return [S(a, name="all"), S(a, 1, name="dim"), S(a, 0, True, name="keepdim"), S(a, None, True, name="all-keepdim"),
            S(make(()), name="0-d")] + ([S(_ints(make, (2, 3)), 1, name="int64")] if dtype == "float64" else [])


def _moment_samples(make, dtype):
    return [S(make((3, 4)), name="all"), S(make((2, 3, 4)), 1, name="dim"),
            S(make((2, 3, 4)), (0, 2), keepdim=True, name="dims-keepdim"),
            S(make((3, 4)), 1, correction=0, name="correction0"), S(make((3, 4)), 0, unbiased=False, name="biased"),
            S(make((3, 4)), 1, correction=2, name="correction2"), S(make.noncontig((3, 2)), 0, name="noncontig")]


def _moment_edges(make, dtype):
    # Constant rows: std is 0 there and its gradient is taken as 0; one element with correction 1: inf/NaN.
    a = _const([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]], dtype)
    return [S(a, 1, name="constant-row"), S(make((1, 3)), 0, name="one-element"),
            S(_const([1.0, 2.0, 4.0], dtype), correction=3, name="n=correction"),
            S(_const([1.0, 2.0, 3.0], dtype), correction=5, name="n<correction"),
            S(make((2, 3)), 0, correction=3, name="n<correction-dim"), S(make(()), name="0-d"),
            S(make((0, 3)), 1, name="empty")]


def _norm_samples(make, dtype):
    a = make((3, 4))
    return [S(a, name="2"), S(a, 1, name="1"), S(a, INF, name="inf"), S(a, -INF, 1, name="-inf-dim"),
            S(a, 0, name="0"), S(a, 3, 1, True, name="3-keepdim"), S(a, 1.5, name="1.5"),
            S(make((2, 3, 4)), "fro", (0, 2), name="fro-dims"), S(make((2, 3)), dim=1, name="dim"),
            S(make((0, 3)), name="empty"), S(make(()), 1, name="0-d")]


def _norm_edges(make, dtype):
    # The zero vector: PyTorch takes the gradient there as 0; ties of |x| share the inf-norm's evenly.
    signs = _const([[2.0, -2.0, 1.0], [0.5, -3.0, 3.0]], dtype)
    zero_row = _const([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]], dtype)
    return [S(zero_row, 2, 1, name="zero-row"), S(zero_row, 3, 1, name="zero-row-p3"),
            S(signs, INF, name="inf-ties"), S(signs, -INF, 1, name="-inf-ties"),
            S(_const([1.0, NAN, -2.0], dtype), INF, name="inf-nan"),
            S(_const([[0.0, 1.0], [-2.0, 0.0]], dtype), 0.5, 1, name="p<1-zeros")]


def _cumulative_samples(make, dtype):
    return [S(make((2, 3)), 1, name="dim"), S(make((2, 3, 2)), -2, name="negative-dim"), S(make(()), 0, name="0-d"),
            S(make((0, 3)), 0, name="empty"), S(make.noncontig((3, 2)), 1, name="noncontig"),
            S(_with_zeros(make, dtype), 1, name="zeros")] + \
        ([S(_ints(make, (2, 3)), 1, name="int64")] if dtype == "float64" else
         [S(make((2, 3)), 0, dtype=float, name="dtype")])


def _logical_reduce_samples(make, dtype):
    a = np.round(make((2, 3), -0.7, 0.7))  # zeros and nonzeros
    return [S(a, name="all"), S(a, 1, name="dim"), S(a, 0, True, name="keepdim"), S(make((0, 3)), name="empty")] + \
        ([S(_bools(make, (2, 3)), 1, name="bool"), S(_ints(make, (2, 3), 0, 3, "uint8"), name="uint8"),
          S(_ints(make, (2, 3), -1, 2), (0, 1), name="int64-dims")] if dtype == "float64" else [])


REDUCE = [
    OpInfo("sum", _sum_samples),
    OpInfo("nansum", lambda make, dtype: [S(_const([[NAN, 1.0, 2.0], [3.0, NAN, -1.0]], dtype), name="all"),
                                          S(_const([[NAN, 1.0, 2.0], [3.0, NAN, -1.0]], dtype), 1, name="dim"),
                                          S(make((2, 3)), (0, 1), True, name="no-nan-keepdim")]),
    OpInfo("mean", lambda make, dtype: reduce_samples(ints=False)(make, dtype) +
           ([S(_ints(make, (2, 3)), 1, dtype=float, name="int-dtype")] if dtype == "float64" else
            [S(make((2, 3)), 1, dtype=float, name="dtype")])),
    OpInfo("prod", _prod_samples),
    OpInfo("max", _max_samples),
    OpInfo("min", _max_samples),
    OpInfo("max", _max_edges, dtypes=("float32",)),
    OpInfo("min", _max_edges, dtypes=("float32",)),
    OpInfo("amax", _amax_samples),
    OpInfo("amin", _amax_samples),
    OpInfo("amax", _amax_edges, dtypes=("float32",)),
    OpInfo("amin", _amax_edges, dtypes=("float32",)),
    OpInfo("aminmax", lambda make, dtype: [S(_tied(make, (2, 4)), name="all-ties"),
                                           S(_tied(make, (3, 4)), dim=1, name="dim-ties")], dtypes=("float32",)),
    OpInfo("aminmax", lambda make, dtype: [S(make((2, 3)), name="all"),
                                           S(make((2, 3)), dim=1, keepdim=True, name="dim-keepdim"),
                                           S(make((3, 4)), dim=-2, name="dim")]),
    OpInfo("argmax", _arg_samples, grad=False),
    OpInfo("argmin", _arg_samples, grad=False),
    OpInfo("var", _moment_samples),
    OpInfo("std", _moment_samples),
    OpInfo("var", _moment_edges, dtypes=("float32",)),
    OpInfo("std", _moment_edges, dtypes=("float32",)),
    OpInfo("var_mean", lambda make, dtype: _moment_samples(make, dtype)[:4]),
    OpInfo("std_mean", lambda make, dtype: _moment_samples(make, dtype)[:4]),
    OpInfo("norm", _norm_samples),
    OpInfo("norm", _norm_edges, dtypes=("float32",)),
    OpInfo("logsumexp", lambda make, dtype: [S(make((2, 3)), 1, name="dim"), S(make((2, 3, 4)), (0, 2), name="dims"),
                                             S(make((2, 3)), -1, True, name="keepdim"), S(make(()), 0, name="0-d"),
            S(make((0, 3)), 0, name="empty")] +
           ([S(_ints(make, (2, 3)), 1, name="int64")] if dtype == "float64" else [])),
    OpInfo("cumsum", _cumulative_samples),
    OpInfo("cumprod", _cumulative_samples),
    OpInfo("all", _logical_reduce_samples, grad=False),
    OpInfo("any", _logical_reduce_samples, grad=False),
    OpInfo("count_nonzero", lambda make, dtype: [S(np.round(make((2, 3), -0.7, 0.7)), name="all"),
                                                 S(np.round(make((2, 3), -0.7, 0.7)), 1, name="dim"),
                                                 S(np.round(make((2, 3, 2), -0.7, 0.7)), (0, 2), name="dims")],
           grad=False),
]


# -- conversions ----------------------------------------------------------------------------------------------
def _converter_samples(make, dtype):
    return [S(make((2, 3)), name="2-d"), S(make(()), name="0-d"), S(make.noncontig((3, 2)), name="noncontig")]


def _lossy_samples(make, dtype):
    return [S(make((2, 3), dtype="float64"), name="float64"), S(make((), dtype="float64"), name="0-d-float64"),
            S(make((3, 2), dtype="float64").T, name="noncontig-float64"), S(make((2, 3)), name="float32")]


CONVERT = [
    OpInfo("clone", _converter_samples),
    OpInfo("Tensor.contiguous", _converter_samples),
    OpInfo("Tensor.to", lambda make, dtype: [
        S(make((2, 3)), NoGrad(make((1,), dtype="float64")), name="other-float64"),
        S(make((2, 3)), float, name="python-float"), S(make((2, 3)), dtype=int, name="python-int"),
        S(make((2, 3)), NoGrad(make((1,), dtype="int64")), name="other-int64"),
        S(make((2, 3)), "cpu", name="device")]),
    OpInfo("Tensor.double", _converter_samples),
    # Casts that lose precision: finite differences of their float32 or float16 results are noise, so these
    # rows run once, comparing with PyTorch only (float64 inputs are made explicitly).
    OpInfo("Tensor.float", _lossy_samples, dtypes=("float32",)),
    OpInfo("Tensor.half", _lossy_samples, dtypes=("float32",), atol=1e-3, rtol=1e-3),
    OpInfo("Tensor.to", lambda make, dtype: [
        S(make((2, 3), dtype="float64"), NoGrad(make((1,), dtype="float32")), name="float64-to-float32"),
        S(make((2, 3)), NoGrad(make((1,), dtype="float16")), name="to-float16")], dtypes=("float32",),
        atol=1e-3, rtol=1e-3),
    *[OpInfo(f"Tensor.{name}", lambda make, dtype: [S(make((2, 3), -3.0, 3.0))], grad=False)
      for name in ("long", "int", "short", "char", "bool")],
    OpInfo("Tensor.byte", lambda make, dtype: [S(make((2, 3), 0.0, 5.0))], grad=False),
    OpInfo("Tensor.type", lambda make, dtype: [S(make((2, 3)), "torch.DoubleTensor", name="name")]),
    OpInfo("Tensor.type", lambda make, dtype: [S(make((2, 3), dtype="float64"), "torch.FloatTensor", name="float")],
           dtypes=("float32",)),
    OpInfo("Tensor.type_as", lambda make, dtype: [S(make((2, 3)), NoGrad(make((1,), dtype="float64")), name="f64")]),
    OpInfo("Tensor.type_as", lambda make, dtype: [
        S(make((2, 3), dtype="float64"), NoGrad(make((1,), dtype="float32")), name="f32")], dtypes=("float32",)),
    OpInfo("Tensor.sum_to_size", lambda make, dtype: [S(make((2, 3)), 1, 3), S(make((2, 3, 4)), (3, 1)),
                                                      S(make((2, 3)), (2, 3), name="same")]),
]

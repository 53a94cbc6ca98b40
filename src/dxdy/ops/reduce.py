"""Reductions: sum, mean, prod, max/min, var/std, norms, logsumexp, cumulative ops.

`dim` is normalised by the public functions to a sorted tuple of non-negative
axes, so every rule can put reduced axes back with `xp.expand_dims(g, dim)`.
"""
import builtins
import functools
import math

import numpy as np

from .. import dtypes as _dt
from ..dtypes import type_name
from ..creation import dtype_arg, empty_like
from ..tensor import Tensor, wrap, _wrap_dim, check_nonempty
from ..return_types import make_return_type
from ._op import op, overloads, name_ops
from .out import write_out
from .promotion import as_operands, broadcast_shape
from .sorting import take_kept, scatter_kept
from ._xp import numpy_ns, positions
from .elementwise import maximum as _maximum, minimum as _minimum, _need_tensors, _no_bool_subtraction, _is_bool
from .shape import cat as _cat


def dims(dim, ndim):
    """`dim` (None, an int, or a sequence) as a sorted tuple of distinct non-negative axes.

    An empty sequence means every dim, as in PyTorch's reductions.
    """
    if dim.__class__ is int:  # the common case, first
        d = _wrap_dim(dim, ndim)
        return (d,) if ndim else ()
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        d = _wrap_dim(int(dim), ndim)
        return (d,) if ndim else ()
    bad = [dim] if not isinstance(dim, (tuple, list)) else [d for d in dim if not isinstance(d, (int, np.integer))]
    if bad:
        raise TypeError(f"argument 'dim' must be an int or a tuple of ints, not {type_name(bad[0])}")
    if len(dim) == 0:
        return tuple(range(ndim))
    out = []
    for d in dim:
        a = _wrap_dim(int(d), ndim)
        if a in out:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        out.append(a)
    return tuple(sorted(out)) if ndim else ()


def _kept(xp, g, dim, keepdim):
    """`g` with the reduced axes back as size-1 axes (a 0-d `g`, of a full reduction, broadcasts as it is)."""
    return g if keepdim or not dim or not g.ndim else xp.expand_dims(g, dim)


def _check_tensor(fn, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


# -- sum, mean, prod ------------------------------------------------------------------------
_sum = overloads(op, lambda xp, x, *, dim, keepdim: xp.asarray(xp.add.reduce(x, axis=dim, keepdims=keepdim)),
                 vjp=lambda xp, g, x_shape, dim, keepdim: xp.spread(_kept(xp, g, dim, keepdim), x_shape),
                 linear=True, rows={"sum": "SumBackward0", "sum.dim_IntList": "SumBackward1"})


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum over `dim` (all elements when None); integers and bools sum to int64.

    >>> dxdy.tensor([[1., 2.], [3., 4.]]).sum(0)
    tensor([4., 6.])
    """
    _check_tensor("sum", input)
    x = _for_sum(input, dtype)
    d = dims(dim, x._data.ndim)
    if x._data.dtype.kind == "b":  # sum(dtype=bool): PyTorch's sum in bool is a logical or
        return write_out(wrap(np.asarray(np.any(x._data, axis=d, keepdims=keepdim))), out)
    return write_out(_sum["sum" if dim is None else "sum.dim_IntList"](x, dim=d, keepdim=keepdim), out)


def _for_sum(x, dtype, fn="sum"):
    if dtype is not None:
        return x.to(dtype_arg(fn, dtype))
    if x._data.dtype.kind in "biu":
        return x.to(_dt.int64)
    return x


_nansum = op(lambda xp, x, *, dim, keepdim: xp.asarray(xp.nansum(x, axis=dim, keepdims=keepdim)),
             vjp=lambda xp, g, x, dim, keepdim: xp.spread(_kept(xp, g, dim, keepdim), x.shape) * (x == x),
             node="NansumBackward0")


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum over `dim`, NaNs counted as zero (and given no gradient)."""
    _check_tensor("nansum", input)
    x = _for_sum(input, dtype, "nansum")
    return write_out(_nansum(x, dim=dims(dim, x._data.ndim), keepdim=keepdim), out)


def _average(xp, x, dim, keepdim):
    # The sum and the division are NumPy's mean (float16 summed in float32), one Python call cheaper.
    s = xp.add.reduce(x, axis=dim, keepdims=keepdim, dtype=xp.float32 if x.dtype == xp.float16 else None)
    n = _count(x.shape, dim)
    if n == 0:  # the mean of nothing: NaN, quietly (NumPy would warn)
        return xp.full(xp.shape(s), math.nan, x.dtype)
    return xp.asarray(xp.true_divide(s, n), dtype=x.dtype)


def _mean_gradient(xp, g, x_shape, dim, keepdim):
    # g / n over the n elements. Of no elements, PyTorch's order (spread, then divide): the gradient is empty
    # either way, and a second derivative in g is then 0, not 0 / 0.
    n = _count(x_shape, dim)
    g = _kept(xp, g, dim, keepdim)
    return xp.spread(g / n, x_shape) if n else xp.spread(g, x_shape) / n


_mean = overloads(op, lambda xp, x, *, dim, keepdim: _average(xp, x, dim, keepdim), vjp=_mean_gradient, linear=True,
                  rows={"mean": "MeanBackward0", "mean.dim": "MeanBackward1"})


def _count(shape, dim):
    n = 1
    for d in dim:
        n *= shape[d]
    return n


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The arithmetic mean over `dim`; floating tensors only, as in PyTorch."""
    _check_tensor("mean", input)
    x = input.to(dtype_arg("mean", dtype)) if dtype is not None else input
    if x._data.dtype.kind != "f" and dtype is not None:
        raise RuntimeError(f"mean(): could not infer output dtype. Optional dtype must be either a floating point "
                           f"or complex dtype. Got: {x.dtype.type_name}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {x.dtype.type_name}")
    d = dims(dim, x._data.ndim)
    return write_out(_mean["mean" if dim is None else "mean.dim"](x, dim=d, keepdim=keepdim), out)


def _exclusive_products(xp, x, axis):
    """For each element along `axis`, the product of all the others (exact when some are zero)."""
    n = x.shape[axis]
    ones = xp.ones_like(xp.take(x, [0], axis=axis))
    left = xp.cumprod(xp.concatenate([ones, xp.take(x, list(range(n - 1)), axis=axis)], axis=axis), axis=axis)
    flipped = xp.flip(x, axis=axis)
    right = xp.cumprod(xp.concatenate([ones, xp.take(flipped, list(range(n - 1)), axis=axis)], axis=axis),
                       axis=axis)
    return left * xp.flip(right, axis=axis)


def _prod_vjp(xp, g, x, out, dim, keepdim):
    # (out named: PyTorch's node saves the result, so changing it in place makes backward fail)
    if x.ndim == 0:
        return g
    if len(dim) != 1:  # the full product: over the flattened tensor
        flat = xp.reshape(x, (-1,))
        others = xp.reshape(_exclusive_products(xp, flat, 0), x.shape) if flat.shape[0] else xp.zeros_like(x)
        return g * others
    if x.shape[dim[0]] == 0:
        return xp.zeros_like(x)
    return _kept(xp, g, dim, keepdim) * _exclusive_products(xp, x, dim[0])


_prod = overloads(op, lambda xp, x, *, dim, keepdim: xp.asarray(xp.prod(x, axis=dim, keepdims=keepdim)),
                  vjp=_prod_vjp, rows={"prod": "ProdBackward0", "prod.dim_int": "ProdBackward1"})


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The product over one `dim` (or of all elements when None)."""
    _check_tensor("prod", input)
    x = _for_sum(input, dtype, "prod")
    if x._data.dtype == np.bool_:  # prod(dtype=bool): a logical and, as in PyTorch
        d = dims(dim, x._data.ndim)
        return write_out(wrap(np.asarray(np.all(x._data, axis=d, keepdims=keepdim and dim is not None))), out)
    if dim is None:
        return write_out(_prod["prod"](x, dim=dims(None, x._data.ndim), keepdim=False), out)
    return write_out(_prod["prod.dim_int"](x, dim=dims(dim, x._data.ndim), keepdim=keepdim), out)


# -- max, min and friends ------------------------------------------------------------------
def _even_share(xp, g, x, out, dim, keepdim):
    # PyTorch shares the gradient of max/min/amax/amin evenly between tied elements.
    hit = xp.astype(x == _kept(xp, out, dim, keepdim), x.dtype)
    return _kept(xp, g, dim, keepdim) * hit / xp.sum(hit, axis=dim, keepdims=True)


_amax = op(lambda xp, x, *, dim, keepdim: xp.asarray(xp.maximum.reduce(x, axis=dim, keepdims=keepdim)),
           vjp=_even_share, node="AmaxBackward0")
_amin = op(lambda xp, x, *, dim, keepdim: xp.asarray(xp.minimum.reduce(x, axis=dim, keepdims=keepdim)),
           vjp=_even_share, node="AminBackward0")


def _even_share_nan(xp, g, x, out):
    # max()/min() of all elements: shared like amax, where a NaN result counts the NaNs as its hits.
    # PyTorch fills the hits (masked_fill), so that elsewhere the gradient is 0 even when g is NaN or infinite.
    hit = (x == out) | ((x != x) & (out != out))
    return xp.where(hit, g / xp.sum(xp.astype(hit, x.dtype)), 0)


def _index_of(arg):
    # max/min along a dim: the gradient goes to the one index reported, ties or not, and the node saves only
    # that index (NOTE [Saving only the indices] in sorting.py).
    def index(x, dim, keepdim):
        if x.ndim == 0:  # a 0-d input: itself, at index 0
            return np.zeros((), np.int64)
        return np.asarray(arg(x, axis=dim, keepdims=keepdim)).astype(np.int64, copy=False)
    return index


_max_index, _min_index = _index_of(numpy_ns.argmax), _index_of(numpy_ns.argmin)
_max = overloads(op, None, rows={
    "max": dict(f=lambda xp, x, *, dim, keepdim: xp.asarray(xp.maximum.reduce(x, axis=dim, keepdims=keepdim)),
                vjp=lambda xp, g, x, out: _even_share_nan(xp, g, x, out), node="MaxBackward1"),
    "max.dim": dict(f=take_kept, vjp=(scatter_kept, None), node="MaxBackward0"),
})
_min = overloads(op, None, rows={
    "min": dict(f=lambda xp, x, *, dim, keepdim: xp.asarray(xp.minimum.reduce(x, axis=dim, keepdims=keepdim)),
                vjp=lambda xp, g, x, out: _even_share_nan(xp, g, x, out), node="MinBackward1"),
    "min.dim": dict(f=take_kept, vjp=(scatter_kept, None), node="MinBackward0"),
})

max_type = make_return_type("max", ("values", "indices"))
min_type = make_return_type("min", ("values", "indices"))


_ALL = object()  # max() / min() with no dim (an explicit dim=None is refused, as in PyTorch)


def _extreme(name, full, along, index, binary, result_type):
    def extreme(input, dim=_ALL, keepdim=False, *, other=None, out=None):
        _check_tensor(name, input)
        if other is not None and dim is _ALL:  # max(input, other=...): the element-wise overload by its name
            dim = other
        if isinstance(dim, Tensor):
            return write_out(binary(input, dim), out)
        if dim is None:
            raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, NoneType), but "
                            f"expected one of:")
        if dim is _ALL:
            if input._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                                   f"Specify the reduction dim with the 'dim' argument.")
            return write_out(full(input, dim=dims(None, input._data.ndim), keepdim=False), out)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                            f"{type(dim).__name__}), but expected an int dim")
        d = dims(dim, input._data.ndim)
        if not input._data.size:
            check_nonempty(f"{name}()", input._data.shape, d)
        i = wrap(index(input._data, d[0] if d else 0, keepdim))
        return write_out(result_type((along(input, i, dim=d[0] if d else 0, keepdim=keepdim), i)), out)
    extreme.__name__ = name
    return extreme


def _amax_amin(name, f):
    def reduce(input, dim=(), keepdim=False, *, out=None):
        _check_tensor(name, input)
        if input._data.size == 0 and (dim == () or dim == []):
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                               f"the reduction dim with the 'dim' argument.")
        d = dims(None if dim == () or dim == [] else dim, input._data.ndim)
        check_nonempty(f"{name}()", input._data.shape, d)
        return write_out(f(input, dim=d, keepdim=keepdim), out)
    reduce.__name__ = name
    return reduce


max = _extreme("max", _max["max"], _max["max.dim"], _max_index, _maximum, max_type)
min = _extreme("min", _min["min"], _min["min.dim"], _min_index, _minimum, min_type)
amax = _amax_amin("amax", _amax)
amin = _amax_amin("amin", _amin)

aminmax_type = make_return_type("aminmax", ("min", "max"))


def _aminmax_vjp(xp, g, x, out, dim, keepdim):
    shares = [_even_share(xp, gk, x, ok, dim, keepdim) for gk, ok in zip(g, out) if gk is not None]
    return shares[0] if len(shares) == 1 else shares[0] + shares[1]


_aminmax = op(lambda xp, x, *, dim, keepdim: (xp.asarray(xp.minimum.reduce(x, axis=dim, keepdims=keepdim)),
                                              xp.asarray(xp.maximum.reduce(x, axis=dim, keepdims=keepdim))),
              vjp=_aminmax_vjp, node="AminmaxBackward0", n_outputs=2)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) over `dim` (over everything when None), as a named tuple."""
    _check_tensor("aminmax", input)
    d = dims(dim, input._data.ndim)
    if input._data.size == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    check_nonempty("aminmax", input._data.shape, d)
    return aminmax_type(_aminmax(input, dim=d, keepdim=keepdim))


def _arg_extreme(name):
    def indices(a, dim, keepdim):  # (the array's method: np.argmax's Python wrapper costs more than it does)
        return np.asarray(getattr(a, name)(axis=dim, keepdims=keepdim)).astype(np.int64, copy=False)

    def arg(input, dim=None, keepdim=False, *, out=None):
        _check_tensor(name, input)
        a = input._data
        if a.dtype.kind == "b":
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if a.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            r = indices(a.reshape(-1), 0, False)
            return write_out(wrap(np.full((1,) * a.ndim, r) if keepdim else r), out, name)
        if not a.ndim:
            _wrap_dim(dim, 0)  # (a 0-d tensor takes dim 0 or -1)
        d = dims(dim, a.ndim)[0] if a.ndim else None
        if d is not None and not a.size:
            check_nonempty(f"{name}()", a.shape, (d,))
        r = wrap(indices(a, d, keepdim))
        return r if out is None else write_out(r, out, name)
    arg.__name__ = arg.__qualname__ = name
    return arg


argmax = _arg_extreme("argmax")
argmin = _arg_extreme("argmin")


# -- variance and norms ---------------------------------------------------------------------------
def _var_forward(xp, x, *, dim, correction, keepdim, full):
    return xp.asarray(_variance64(xp, x, dim, correction, keepdim)).astype(x.dtype)


def _variance64(xp, x, dim, correction, keepdim):
    # PyTorch accumulates the variance of float16 and float32 in double, so that a std of 1e30 does not
    # overflow through its square; the result is cast back (a variance of 1e60 is inf in float32).
    a = x.astype(np.float64) if x.dtype.itemsize < 8 else x
    centered = a - _average(xp, a, dim, True)
    var = xp.sum(centered * centered, axis=dim, keepdims=keepdim) / _dof(_count(x.shape, dim), correction)
    if a.size == 0:
        return var
    # Equal values have variance 0 exactly, as PyTorch's Welford algorithm finds; a two-pass mean can miss
    # them by a rounding, and std's gradient would then be rounding noise instead of PyTorch's zero.
    equal = (xp.max(a, axis=dim, keepdims=keepdim) == xp.min(a, axis=dim, keepdims=keepdim)) & xp.isfinite(var)
    return xp.where(equal, 0.0, var)


def _dof(n, correction):
    # Degrees of freedom, never below zero: with too few elements the variance is inf (or NaN), as in PyTorch.
    return n - correction if n - correction > 0 else 0.0


def _var_vjp(xp, g, x, dim, correction, keepdim, full):
    # d var / dx = 2 (x - mean) / (n - correction). With n <= correction PyTorch takes, over all elements,
    # inf |x - mean|, and along given dims the same formula (so a negative factor when n < correction).
    centered = x - xp.mean(x, axis=dim, keepdims=True)
    dof = _count(x.shape, dim) - correction
    if dof <= 0 and full:
        return _kept(xp, g, dim, keepdim) * xp.abs(centered) * math.inf
    return _kept(xp, g, dim, keepdim) * (centered * (2 / dof if dof else math.inf))


def _std_vjp(xp, g, x, out, dim, correction, keepdim, full):
    # d std = d var / (2 std); taken as zero where std is zero, as in PyTorch.
    return _var_vjp(xp, xp.where(out == 0, 0, g / (2 * out)), x, dim, correction, keepdim, full)


def _mean_vjp(xp, g, x, dim, keepdim):
    return _mean_gradient(xp, g, tuple(x.shape), dim, keepdim)


# var_mean and std_mean: one node, two outputs, either of which may carry no gradient. PyTorch's VarMeanBackward0
# saves the input only, and StdMeanBackward0 the input and the std, never the mean: so changing the mean in place
# must not spoil backward. The rules ask for x only (a rule that names `out` would save both results), and
# std_mean's recomputes the std. (Changing the std in place therefore passes here, where PyTorch refuses it.)
def _var_mean_vjp(xp, g, x, dim, correction, keepdim, full):
    parts = []
    if g[0] is not None:
        parts.append(_var_vjp(xp, g[0], x, dim, correction, keepdim, full))
    if g[1] is not None:
        parts.append(_mean_vjp(xp, g[1], x, dim, keepdim))
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def _std_mean_vjp(xp, g, x, dim, correction, keepdim, full):
    parts = []
    if g[0] is not None:
        if isinstance(x, Tensor):  # create_graph: the std as a differentiable op of x
            std = _std(x, dim=dim, correction=correction, keepdim=keepdim, full=full)
        else:  # as the forward computed it, bit for bit (std == 0 decides the gradient)
            std = _std_forward(xp, x, dim=dim, correction=correction, keepdim=keepdim, full=full)
        parts.append(_std_vjp(xp, g[0], x, std, dim, correction, keepdim, full))
    if g[1] is not None:
        parts.append(_mean_vjp(xp, g[1], x, dim, keepdim))
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def _std_forward(xp, x, *, dim, correction, keepdim, full):
    return xp.asarray(xp.sqrt(_variance64(xp, x, dim, correction, keepdim))).astype(x.dtype)


_var = op(_var_forward, vjp=_var_vjp, node="VarBackward0")
_std = op(_std_forward, vjp=_std_vjp, node="StdBackward0", pack_order=("out", "x"))
_var_mean = op(lambda xp, x, *, dim, correction, keepdim, full: (
                   _var_forward(xp, x, dim=dim, correction=correction, keepdim=keepdim, full=full),
                   _average(xp, x, dim, keepdim)),
               vjp=_var_mean_vjp, node="VarMeanBackward0", n_outputs=2)
_std_mean = op(lambda xp, x, *, dim, correction, keepdim, full: (
                   _std_forward(xp, x, dim=dim, correction=correction, keepdim=keepdim, full=full),
                   _average(xp, x, dim, keepdim)),
               vjp=_std_mean_vjp, node="StdMeanBackward0", n_outputs=2)


def _moment(name, f):
    def moment(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
        _check_tensor(name, input)
        if isinstance(dim, bool):  # the old overload var(input, unbiased)
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        if input._data.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        # `full`: over all elements (no dim given), where PyTorch's gradient differs for n <= correction.
        return write_out(f(input, dim=dims(dim, input._data.ndim), correction=correction, keepdim=keepdim,
                 full=dim is None or input._data.ndim == 0), out)
    moment.__name__ = name
    return moment


var = _moment("var", _var)
std = _moment("std", _std)
var_mean = _moment("var_mean", _var_mean)
std_mean = _moment("std_mean", _std_mean)


def _norm_forward(xp, x, *, ord, dim, keepdim):
    a = xp.abs(x)
    if ord == 2:
        return xp.asarray(xp.sqrt(xp.sum(a * a, axis=dim, keepdims=keepdim)))
    if ord == math.inf:
        return xp.asarray(xp.maximum.reduce(a, axis=dim, keepdims=keepdim, initial=0))
    if ord == -math.inf:
        return xp.asarray(xp.minimum.reduce(a, axis=dim, keepdims=keepdim))
    if ord == 0:
        return xp.asarray(xp.sum(a != 0, axis=dim, keepdims=keepdim)).astype(x.dtype)
    if ord == 1:
        return xp.asarray(xp.sum(a, axis=dim, keepdims=keepdim))
    return xp.asarray(xp.sum(a ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord))


def _norm_vjp(xp, g, x, out, ord, dim, keepdim):
    g, out = _kept(xp, g, dim, keepdim), _kept(xp, out, dim, keepdim)
    if ord == 0:
        return None  # no gradient at all, as in PyTorch
    if ord == 1:
        return g * xp.sign(x)
    if ord == 2:
        # The gradient at the zero vector is taken as zero, as in PyTorch. The mask is on x / out, as in
        # PyTorch's rule, so that the second derivative there is NaN for x and out (0 / 0), not for g.
        return g * xp.where(out == 0, 0, x / out)
    if ord in (math.inf, -math.inf):  # shared by the elements that attain it (and by NaNs), as in PyTorch
        a = xp.abs(x)
        hit = xp.astype((a == out) | (a != a), x.dtype)
        return g * xp.sign(x) * hit / xp.sum(hit, axis=dim, keepdims=True)
    if ord < 1:  # |x|^(p-1) is infinite at 0, where PyTorch takes the gradient as 0
        return xp.where(x == 0, 0, xp.sign(x) * xp.abs(x) ** (ord - 1)) * (g * out ** (1 - ord))
    scale = xp.where(out == 0, 0, g / out ** (ord - 1))
    return xp.sign(x) * xp.abs(x) ** (ord - 1) * scale


_vector_norm = op(_norm_forward, vjp=_norm_vjp, node="LinalgVectorNormBackward0", pack_order=("out", "x"))
# the node of torch.norm(x, p, dim)
_norm_backward1 = op(_norm_forward, vjp=_norm_vjp, node="NormBackward1", pack_order=("out", "x"))


def _check_norm_identity(ord, shape, dim):
    """PyTorch's error for a norm without identity (inf, or a negative order: a max or min) over nothing: over an
    empty tensor (dim None or (): all of them), or along an empty dim of `dim` (each wrapped in turn)."""
    if not (ord < 0 or ord == math.inf):
        return
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        if math.prod(shape) == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty tensor because the "
                               f"operation does not have an identity")
        return
    for d in dim if isinstance(dim, (tuple, list)) else (dim,):
        k = _wrap_dim(d, len(shape))
        if shape and shape[k] == 0:  # (PyTorch's message lacks the space after the dim)
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on the dimension {k}because "
                               f"this dimension is empty and the operation does not have an identity")


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The `ord`-norm of x over `dim` (all elements when None): (sum |x|^ord)^(1/ord)."""
    x = input
    _check_tensor("linalg_vector_norm", x)
    if dtype is not None:
        d = dtype_arg("linalg_vector_norm", dtype)
        if not d.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                               f"{d.type_name}")
        x = x.to(d)
    if isinstance(ord, Tensor) and ord._data.ndim == 0:
        ord = ord.item()
    if not isinstance(ord, (int, float, np.number)) or isinstance(ord, complex):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type_name(ord)}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype.type_name}")
    if x._data.size == 0:
        _check_norm_identity(ord, x._data.shape, dim)
    d = dims(dim, x._data.ndim)
    return write_out(_vector_norm(x, ord=float(ord), dim=d, keepdim=keepdim), out)


def _dist_forward(xp, x, y, *, p):
    d = x - y
    return _norm_forward(xp, d, ord=p, dim=tuple(range(d.ndim)), keepdim=False)


def _dist_gradient(xp, g, x, y, out, p):
    # norm's gradient for the difference, in the broadcast shape (the engine sums a gradient back to the
    # result's shape only, and the result is 0-d: each rule sums to its own input's shape)
    d = x - y
    if p == 0:
        return None  # no gradient at all, as in PyTorch
    if math.prod(d.shape) == 0:
        # empty: no elements, and no 0 * inf from the zero norm in a second derivative (which in g is 0, as
        # PyTorch's)
        return g * (d * 0)
    return _norm_vjp(xp, g, d, out, p, tuple(range(d.ndim)), False)


def _dist_vjp(xp, g, x, y, out, p):
    grad = _dist_gradient(xp, g, x, y, out, p)
    return None if grad is None else xp.sum_to_size(grad, x.shape)


def _dist_vjp_other(xp, g, x, y, out, p):
    if p == 0:
        # PyTorch's norm has no gradient for p = 0 (an undefined tensor), and its rule for `other` negates it.
        raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor in C++) for argument #0 "
                           "'self'")
    return xp.sum_to_size(-_dist_gradient(xp, g, x, y, out, p), y.shape)


# The norm of the difference, with norm's gradient (its conventions at zero, ties and p < 1), as in PyTorch.
_dist = op(_dist_forward, vjp=(_dist_vjp, _dist_vjp_other), node="DistBackward0", broadcasts=True,
           torch_names={"x": "self", "y": "other"})


def dist(input, other, p=2):
    """The p-norm of input - other (broadcasting): p = 0 counts the nonzero differences, inf takes the largest."""
    _need_tensors("dist", input, other)
    if isinstance(p, Tensor) and p._data.ndim == 0:
        p = p.item()
    if isinstance(p, np.generic):
        p = p.item()
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not {type_name(p)}")
    if _is_bool(input) or _is_bool(other):
        _no_bool_subtraction(input, other)
    x, y = as_operands(input, other)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{x.dtype.type_name} instead.")
    _check_norm_identity(p, broadcast_shape(x._data.shape, y._data.shape), None)
    return _dist(x, y, p=float(p))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The 2-norm by default ('fro'); p may be a number, inf, or 'nuc' for matrices."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        from .linalg import matrix_norm  # (ops/linalg.py imports this module)
        return write_out(matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim), out)
    if isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return write_out(vector_norm(input, p, dim, keepdim, dtype=dtype), out)


def _logsumexp_forward(xp, x, *, dim, keepdim):
    if x.size == 0:
        return xp.asarray(xp.log(xp.sum(xp.exp(x), axis=dim, keepdims=keepdim)))
    m = xp.max(x, axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    s = xp.log(xp.sum(xp.exp(x - m), axis=dim, keepdims=True)) + m
    return xp.asarray(s if keepdim else xp.squeeze(s, axis=dim))


_logsumexp = op(_logsumexp_forward,
                vjp=lambda xp, g, x, out, dim, keepdim:
                _kept(xp, g, dim, keepdim) * xp.exp(x - _kept(xp, out, dim, keepdim)),
                node="LogsumexpBackward0")


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over `dim`, computed without overflow."""
    _check_tensor("logsumexp", input)
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 2) must be tuple of ints, not NoneType")
    x = input if input._data.dtype.kind == "f" else input.to(_dt.get_default_dtype())
    return write_out(_logsumexp(x, dim=dims(dim, x._data.ndim), keepdim=keepdim), out)


# -- cumulative ---------------------------------------------------------------------------------
def _reverse_cumsum(xp, g, axis):
    if g.ndim == 0 or g.shape[axis] == 1 or 0 in g.shape:  # g itself, as PyTorch's cumsum_backward
        return g
    return xp.flip(xp.cumsum(xp.flip(g, axis=axis), axis=axis), axis=axis)


# (contiguous results, as PyTorch's, whatever the input's layout)
_cumsum = op(lambda xp, x, *, dim: xp.asarray(xp.cumsum(x, axis=dim), order="C") if x.ndim else x.copy(),
             vjp=lambda xp, g, dim: _reverse_cumsum(xp, g, dim), node="CumsumBackward0", linear=True)


def _cumprod_vjp(xp, g, x, out, dim):
    # With no zeros, d/dx_k sum_j g_j out_j = sum_{j>=k} g_j out_j / x_k. Where zeros
    # occur, each output is rebuilt from exclusive products along the axis instead.
    if x.ndim == 0 or x.shape[dim] == 0:
        return g
    if not bool(xp.any(x == 0)):
        return _reverse_cumsum(xp, g * out, dim) / x
    n = x.shape[dim]
    total = None
    for k in range(n):
        xk_removed = xp.concatenate([xp.take(x, list(range(k)), axis=dim),
                                     xp.ones_like(xp.take(x, [k], axis=dim)),
                                     xp.take(x, list(range(k + 1, n)), axis=dim)], axis=dim)
        partial = xp.cumprod(xk_removed, axis=dim)
        tail = xp.take(g * partial, list(range(k, n)), axis=dim)
        col = xp.sum(tail, axis=dim, keepdims=True)
        total = col if total is None else xp.concatenate([total, col], axis=dim)
    return total


_cumprod = op(lambda xp, x, *, dim: xp.asarray(xp.cumprod(x, axis=dim), order="C") if x.ndim else x.copy(),
              vjp=_cumprod_vjp,
              node="CumprodBackward0")


def _cumulative(name, f):
    def cumulative(input, dim, *, dtype=None, out=None):
        _check_tensor(name, input)
        x = _for_sum(input, dtype, name)
        if x._data.dtype == np.bool_:
            raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
        return write_out(f(x, dim=_wrap_dim(dim, x._data.ndim)), out)
    cumulative.__name__ = name
    return cumulative


cumsum = _cumulative("cumsum", _cumsum)
cumprod = _cumulative("cumprod", _cumprod)


# -- logical ------------------------------------------------------------------------------------
def _logical_reduce(name, f):
    def reduce(input, dim=None, keepdim=False, *, out=None):
        _check_tensor(name, input)
        a = input._data
        d = dims(dim, a.ndim)
        r = np.asarray(f(a, axis=d, keepdims=keepdim))
        return write_out(wrap(r if a.dtype != np.uint8 else r.astype(np.uint8)), out)
    reduce.__name__ = name
    return reduce


all = _logical_reduce("all", np.all)
any = _logical_reduce("any", np.any)


def count_nonzero(input, *axes, dim=None):
    """The number of nonzero elements along dim (all when None); `x.count_nonzero(0, 1)` as `dim=(0, 1)`."""
    if axes:
        dim = axes[0] if len(axes) == 1 else axes
    return wrap(np.asarray(np.count_nonzero(input._data, axis=None if dim is None else dims(dim, input.ndim)),
                           dtype=np.int64))



# -- cummax, cummin, logcumsumexp ------------------------------------------------------------
def _running_index(x, dim, better):
    """For each position along dim, the index of the running extreme so far (ties: the latest; a NaN, once
    met, stays the extreme), as PyTorch's cummax and cummin choose."""
    a = np.moveaxis(x, dim, 0)
    idx = np.zeros(a.shape, np.int64)
    if a.shape[0] == 0:
        return np.moveaxis(idx, 0, dim)
    best, where = a[0].copy(), np.zeros(a.shape[1:], np.int64)
    floating = a.dtype.kind == "f"
    for j in range(1, a.shape[0]):
        v = a[j]
        take = better(v, best)
        if floating:
            take = (take | np.isnan(v)) & ~np.isnan(best)
        best = np.where(take, v, best)
        where = np.where(take, j, where)
        idx[j] = where
    return np.moveaxis(idx, 0, dim)


def _cumulative_extreme(name, node, better):
    row = op(lambda xp, x, indices, *, dim: xp.asarray(xp.take_along_axis(x, indices, axis=dim), order="C"),
             vjp=(lambda xp, g, x, indices, dim:  # (x named: PyTorch's node saves the input)
                  xp.index_add_zeros(tuple(x.shape), g.dtype, _cum_positions(indices, dim), g), None),
             node=node)
    row_0d = op(lambda xp, x: (np.array(x), np.zeros((), np.int64)), vjp=lambda xp, g, x: g[0][...], node=node,
                n_outputs=2,
                differentiable_outputs=(0,))
    result_type = make_return_type(name, ("values", "indices"))

    def cumulative(input, dim, *, out=None):
        _check_tensor(name, input)
        a = input._data
        d = _wrap_dim(dim, a.ndim) if a.size else 0  # (PyTorch checks dim only when there are elements)
        if a.ndim == 0:
            return write_out(result_type(row_0d(input)), out)
        indices = wrap(_running_index(a, d, better))  # NOTE [Saving only the indices] (sorting.py)
        return write_out(result_type((row(input, indices, dim=d), indices)), out)
    cumulative.__name__ = name
    return cumulative


def _cum_positions(indices, dim):
    return positions(np.asarray(indices), dim)


cummax = _cumulative_extreme("cummax", "CummaxBackward0", np.greater_equal)
cummin = _cumulative_extreme("cummin", "CumminBackward0", np.less_equal)


def _logcumsumexp_vjp(xp, g, x, out, dim):
    # d out_j / d x_k = exp(x_k - out_j) for k <= j; scaled by the last (largest) out to stay in range.
    if x.ndim == 0 or 0 in x.shape:
        return g
    c = xp.take(out, [x.shape[dim] - 1], axis=dim)
    return xp.exp(x - c) * _reverse_cumsum(xp, g * xp.exp(c - out), dim)


_logcumsumexp = op(lambda xp, x, *, dim: xp.logaddexp.accumulate(x, axis=dim) if x.ndim else x.copy(),
                   vjp=_logcumsumexp_vjp, node="LogcumsumexpBackward0")


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along dim, without overflow."""
    _check_tensor("logcumsumexp", input)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype.type_name}'")
    return write_out(_logcumsumexp(input, dim=_wrap_dim(dim, input._data.ndim)), out)


# -- nanmean, diff, trapezoid ----------------------------------------------------------------------
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean of the non-NaN elements over dim (NaN where there are none)."""
    _check_tensor("nanmean", input)
    x = input.to(dtype_arg("nanmean", dtype)) if dtype is not None else input
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{x.dtype.type_name}")
    kept = wrap(~np.isnan(x._data))
    return write_out(nansum(x, dim, keepdim) / sum(kept, dim, keepdim), out)


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """The n-th forward difference along dim: out[i] = input[i + 1] - input[i], n times."""
    _check_tensor("diff", input)
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input._data.ndim)
    parts = []
    for what, t in (("prepend", prepend), ("append", append)):
        if t is not None:
            if not isinstance(t, Tensor):
                raise TypeError(f"diff(): argument '{what}' must be Tensor, not {type_name(t)}")
            if t._data.ndim != input._data.ndim:
                raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    x = input
    if prepend is not None or append is not None:
        parts = ([prepend] if prepend is not None else []) + [input] + ([append] if append is not None else [])
        x = _cat(parts, d)
    if n == 0 and x is input:  # a copy, as PyTorch's (CopyBackwards)
        x = empty_like(x).copy_(x)
    for _ in range(n):
        size = x._data.shape[d]
        if size == 0:
            break
        hi, lo = x.narrow(d, 1, size - 1), x.narrow(d, 0, size - 1)
        x = hi.logical_xor(lo) if x._data.dtype == np.bool_ else hi - lo
    return write_out(x, out)


_mul_number = op(lambda xp, x, *, other: x * other, vjp=lambda xp, g, other: g * other, node="MulBackward1",
                 linear=True)
_div_number = op(lambda xp, x, *, other: x / other, vjp=lambda xp, g, other: g / other, node="DivBackward1",
                 linear=True)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of y along dim by the trapezoidal rule: at sample points x, or spaced dx apart (1)."""
    _check_tensor("trapezoid", y)
    if isinstance(x, Tensor) and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments: pass x or dx, not both")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"trapezoid() received an invalid combination of arguments - got (Tensor, "
                        f"{type_name(x)}): pass the spacing as dx=")
    if np.bool_ in (y._data.dtype, x._data.dtype if x is not None else None) and y._data.size:
        raise RuntimeError(f"trapezoid: received a bool input for {'`y`' if x is None else '`x` or `y`'}, but bool "
                           f"is not supported")
    nd = y._data.ndim
    if nd == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, nd)
    n = y._data.shape[d]
    if n == 0:  # no sample points: zeros, whatever x is (PyTorch checks x only after this)
        shape = y._data.shape[:d] + y._data.shape[d + 1:]
        return wrap(np.zeros(shape, y._data.dtype if y._data.dtype.kind == "f" else _dt.get_default_dtype().np))
    if x is None:
        dx = 1 if dx is None else dx
        ends = y.select(d, 0) + y.select(d, -1)
        if ends._data.dtype.kind != "f":  # integers times 0.5 give the default float dtype
            ends = ends.to(_dt.get_default_dtype())
        ends = _mul_number(ends, other=0.5)  # saves no tensor, as PyTorch's Tensor * Scalar
        return _mul_number(sum(y, d) - ends, other=dx)
    if x._data.ndim == 1:
        if x._data.shape[0] != n:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        step = diff(x)
        step = step.reshape((1,) * d + (builtins.max(n - 1, 0),) + (1,) * (nd - d - 1)) if nd > 1 else step
    else:  # as PyTorch: x viewed with leading 1s up to y's rank (a 0-d x then has no differences: size 0 at dim)
        xs = tuple(x.shape)
        step = diff(x.reshape((1,) * (nd - len(xs)) + xs) if len(xs) < nd else x, dim=d)
    pairs = y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)
    total = sum(pairs * step, d)
    if total._data.dtype.kind != "f":
        total = total.to(_dt.get_default_dtype())
    return _div_number(total, other=2.0)


def trapz(y, x=None, *, dx=None, dim=-1):
    """trapezoid's older name."""
    return trapezoid(y, x, dx=dx, dim=dim)



# PyTorch's argument parser takes NumPy's spellings of four names, wherever they occur.
_NUMPY_SPELLINGS = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input", "x2": "other"}


def _numpy_names(f):
    """f, also taking NumPy's spellings of its arguments as PyTorch does (axis for dim, keepdims for keepdim, ...)."""
    def call(*args, **kwargs):
        if kwargs and not _NUMPY_SPELLINGS.keys().isdisjoint(kwargs):
            for name in [k for k in kwargs if k in _NUMPY_SPELLINGS]:
                kwargs[_NUMPY_SPELLINGS[name]] = kwargs.pop(name)
        return f(*args, **kwargs)
    return functools.update_wrapper(call, f)


for _name in ("sum", "nansum", "mean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "var",
              "std", "var_mean", "std_mean", "logsumexp", "cumsum", "cumprod", "all", "any", "count_nonzero",
              "nanmean", "cummax", "cummin", "logcumsumexp", "vector_norm"):
    globals()[_name] = _numpy_names(globals()[_name])

name_ops(globals())

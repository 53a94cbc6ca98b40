"""Sorting and selection: sort, argsort, topk, kthvalue, median.

The values are a gather of the input, so their gradient is scattered back to the
positions the indices name.
"""
import numpy as np

from ..return_types import make_return_type
from ..tensor import wrap, _wrap_dim, check_nonempty
from ._op import op, overloads, name_ops
from .out import write_out
from ._xp import positions, expand_dims


# NOTE [Saving only the indices]
# The values are x at the indices, so backward needs only the indices and x's shape, and that is all PyTorch's
# nodes save: changing the values in place must not spoil backward (changing the indices must). The public
# functions therefore find the indices first, on arrays, and the node is a gather whose (non-differentiable)
# second input is the indices tensor they return: saving it is saving the indices, version checks included.
def _take(xp, x, indices, *, dim):
    return xp.asarray(xp.take_along_axis(x, indices, axis=dim), order="C")  # fresh, as PyTorch's


def _scatter_back(xp, g, x_shape, indices, dim):
    return xp.index_add_zeros(x_shape, g.dtype, positions(np.asarray(indices), dim), g)


def take_kept(xp, x, indices, *, dim, keepdim):
    """x at `indices` along dim, which keepdim=False has squeezed away (max(dim), kthvalue, median(dim))."""
    if x.ndim == 0:  # a 0-d input is itself, at index 0
        return x.copy()
    i = indices if keepdim else expand_dims(indices, dim)
    v = xp.take_along_axis(x, i, axis=dim)
    return xp.asarray(v if keepdim else xp.squeeze(v, axis=dim))


def scatter_kept(xp, g, x_shape, indices, dim, keepdim):
    """The VJP of take_kept: g added into zeros of x's shape at the indices."""
    if not x_shape:
        return g[...]  # (a view: PyTorch's scatter records a node even here)
    indices = np.asarray(indices)
    if not keepdim:
        g, indices = xp.expand_dims(g, dim), expand_dims(indices, dim)
    return xp.index_add_zeros(x_shape, g.dtype, positions(indices, dim), g)


def _order(x, dim, descending):
    """The indices that sort the array x along dim, stably; NaN counts as the largest value (as in PyTorch)."""
    if descending and x.dtype.kind == "b":
        return np.flip(np.argsort(x, axis=dim, kind="stable"), axis=dim).astype(np.int64)
    idx = np.argsort(-x if descending else x, axis=dim, kind="stable")
    if descending and x.dtype.kind == "f":
        # NaN first when descending (NumPy puts it last).
        nan_first = np.argsort(~np.isnan(np.take_along_axis(x, idx, axis=dim)), axis=dim, kind="stable")
        idx = np.take_along_axis(idx, nan_first, axis=dim)
    return idx.astype(np.int64)


_sort = op(_take, vjp=(_scatter_back, None), node="SortBackward0")
_topk = op(_take, vjp=(_scatter_back, None), node="TopkBackward0")
# A 0-d input is its own order (index 0); PyTorch records the sort (topk) node all the same, and its gradient is
# a scatter: here a view of g, which under create_graph has a node too.
_sort_0d = op(lambda xp, x: (np.array(x), np.zeros((), np.int64)), vjp=lambda xp, g: g[0][...], node="SortBackward0",
              n_outputs=2, differentiable_outputs=(0,))
_topk_0d = op(lambda xp, x: (np.array(x), np.zeros((), np.int64)), vjp=lambda xp, g: g[0][...], node="TopkBackward0",
              n_outputs=2, differentiable_outputs=(0,))

sort_type = make_return_type("sort", ("values", "indices"))
topk_type = make_return_type("topk", ("values", "indices"))
kthvalue_type = make_return_type("kthvalue", ("values", "indices"))
median_type = make_return_type("median", ("values", "indices"))


def _dim(input, dim):
    d = _wrap_dim(dim, input._data.ndim)  # (a 0-d tensor takes dim 0 or -1)
    return d if input._data.ndim else 0


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """The values along dim in order, and where each came from: (values, indices)."""
    d = _dim(input, dim)
    if input._data.ndim == 0:
        return write_out(sort_type(_sort_0d(input)), out)
    indices = wrap(_order(input._data, d, descending))  # NOTE [Saving only the indices]
    return write_out(sort_type((_sort(input, indices, dim=d), indices)), out)


def argsort(input, dim=-1, descending=False, stable=False, *, out=None):
    """The indices that sort input along dim."""
    return write_out(sort(input.detach(), dim, descending, stable)[1], out)


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The k largest (or smallest) values along dim, and their indices."""
    d = _dim(input, dim)
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    size = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if input._data.ndim == 0:
        return write_out(topk_type(_topk_0d(input)), out)  # k = 0 included, as in PyTorch
    keep = (slice(None),) * d + (slice(0, k),)
    indices = wrap(np.ascontiguousarray(_order(input._data, d, largest)[keep]))
    return write_out(topk_type((_topk(input, indices, dim=d), indices)), out)


def _kth_index(x, k, dim, keepdim):
    if x.ndim == 0:
        return np.zeros((), np.int64)
    i = np.take(_order(x, dim, False), [k - 1], axis=dim)
    return np.asarray(i if keepdim else np.squeeze(i, axis=dim))


def _median_index(x):
    # PyTorch's median of an even count is the lower of the two middle values; with a NaN, the first NaN.
    flat = x.reshape(-1)
    nan = np.isnan(flat) if flat.dtype.kind == "f" else None
    if nan is not None and nan.any():
        return np.unravel_index(np.argmax(nan), x.shape)
    return np.unravel_index(np.argsort(flat, kind="stable")[(x.size - 1) // 2], x.shape)


def _median_dim_index(x, k, dim, keepdim):
    i = _kth_index(x, k, dim, keepdim)
    if x.dtype.kind == "f" and x.ndim:
        nan = np.isnan(x)
        if nan.any():  # a slice with a NaN has the median NaN, at its first NaN, as in PyTorch
            has_nan = np.any(nan, axis=dim, keepdims=keepdim)
            i = np.asarray(np.where(has_nan, np.argmax(nan, axis=dim, keepdims=keepdim), i), np.int64)
    return i


_kthvalue = op(take_kept, vjp=(scatter_kept, None), node="KthvalueBackward0")
# Over all elements, PyTorch shares the gradient evenly between elements tied with the median (the NaNs, for a
# NaN median).
_median = overloads(op, None, rows={
    "median": dict(f=lambda xp, x: xp.asarray(x[_median_index(x)]), vjp=lambda xp, g, x, out: _ties(xp, g, x, out),
                   node="MedianBackward0"),
    "median.dim": dict(f=take_kept, vjp=(scatter_kept, None), node="MedianBackward1"),
})


def _ties(xp, g, x, out):
    # PyTorch fills the hits (masked_fill), so that elsewhere the gradient is 0 even when g is NaN or infinite.
    hit = (x == out) | ((x != x) & (out != out))
    return xp.where(hit, g / float(xp.sum(hit)), 0)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The k-th smallest value along dim (k counts from 1), and its index."""
    d = _dim(input, dim)
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    size = input._data.shape[d] if input._data.ndim else 1
    check_nonempty("kthvalue()", (size,), (0,))
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    indices = wrap(_kth_index(input._data, k, d, keepdim))  # NOTE [Saving only the indices]
    return write_out(kthvalue_type((_kthvalue(input, indices, dim=d, keepdim=keepdim), indices)), out)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (PyTorch's choice for an even count); with dim, also its index."""
    if input._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{'median_cpu' if dim is None else 'median_out'}\" not implemented for 'Bool'")
    if dim is None:
        if input._data.size == 0:
            return write_out(wrap(np.asarray(np.nan, input._data.dtype)), out)
        return write_out(_median["median"](input), out)
    d = _dim(input, dim)
    if input._data.ndim:
        check_nonempty("median()", input._data.shape, (d,))
    k = (input._data.shape[d] + 1) // 2 if input._data.ndim else 1
    indices = wrap(_median_dim_index(input._data, k, d, keepdim))  # NOTE [Saving only the indices]
    return write_out(median_type((_median["median.dim"](input, indices, dim=d, keepdim=keepdim), indices)), out)


name_ops(globals())

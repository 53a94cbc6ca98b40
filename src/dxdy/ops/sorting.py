"""Sorting and selection: sort, argsort, topk, kthvalue, median.

The values are a gather of the input, so their gradient is scattered back to the
positions the indices name.
"""
import numpy as np

from ..return_types import make_return_type
from ..tensor import Tensor, wrap, _wrap_dim
from ._op import op, name_ops
from ._xp import positions


def _scatter_back(xp, g, x_shape, out, dim):
    values_grad, indices = g[0], np.asarray(out[1])
    return xp.index_add_zeros(x_shape, values_grad.dtype, positions(indices, dim), values_grad)


def _sort_forward(xp, x, *, dim, descending, stable):
    idx = xp.argsort(-x if descending and x.dtype.kind != "b" else x, axis=dim, kind="stable")
    if descending and x.dtype.kind == "b":
        idx = xp.flip(xp.argsort(x, axis=dim, kind="stable"), axis=dim)
    if descending and x.dtype.kind == "f":
        # NaN counts as the largest value, as in PyTorch: first when descending (NumPy puts it last).
        nan_first = xp.argsort(~xp.isnan(xp.take_along_axis(x, idx, axis=dim)), axis=dim, kind="stable")
        idx = xp.take_along_axis(idx, nan_first, axis=dim)
    return xp.take_along_axis(x, idx, axis=dim), idx.astype(np.int64)


def _topk_forward(xp, x, *, k, dim, largest, sorted):
    values, idx = _sort_forward(xp, x, dim=dim, descending=largest, stable=True)
    keep = (slice(None),) * dim + (slice(0, k),)
    return xp.asarray(values[keep], order="C"), xp.asarray(idx[keep], order="C")  # fresh, as PyTorch's


_sort = op(_sort_forward, vjp=_scatter_back, node="SortBackward0", n_outputs=2, differentiable_outputs=(0,))
_topk = op(_topk_forward, vjp=_scatter_back, node="TopkBackward0", n_outputs=2, differentiable_outputs=(0,))
# A 0-d input is its own order (index 0); PyTorch records the sort (topk) node all the same.
_sort_0d = op(lambda xp, x: (np.array(x), np.zeros((), np.int64)), vjp=lambda xp, g: g[0], node="SortBackward0",
              n_outputs=2, differentiable_outputs=(0,))
_topk_0d = op(lambda xp, x: (np.array(x), np.zeros((), np.int64)), vjp=lambda xp, g: g[0], node="TopkBackward0",
              n_outputs=2, differentiable_outputs=(0,))

sort_type = make_return_type("sort", ("values", "indices"))
topk_type = make_return_type("topk", ("values", "indices"))
kthvalue_type = make_return_type("kthvalue", ("values", "indices"))
median_type = make_return_type("median", ("values", "indices"))


def _dim(input, dim):
    return _wrap_dim(dim, input._data.ndim) if input._data.ndim else 0


def sort(input, dim=-1, descending=False, stable=False):
    """The values along dim in order, and where each came from: (values, indices)."""
    if input._data.ndim == 0:
        return sort_type(_sort_0d(input))
    return sort_type(_sort(input, dim=_dim(input, dim), descending=descending, stable=stable))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort input along dim."""
    return sort(input.detach(), dim, descending, stable)[1]


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along dim, and their indices."""
    d = _dim(input, dim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if input._data.ndim == 0:
        return topk_type(_topk_0d(input))  # k = 0 included, as in PyTorch
    return topk_type(_topk(input, k=k, dim=d, largest=largest, sorted=sorted))


def _kth_forward(xp, x, *, k, dim, keepdim):
    values, idx = _sort_forward(xp, x, dim=dim, descending=False, stable=True)
    v, i = xp.take(values, [k - 1], axis=dim), xp.take(idx, [k - 1], axis=dim)
    if not keepdim:
        v, i = xp.squeeze(v, axis=dim), xp.squeeze(i, axis=dim)
    return xp.asarray(v), xp.asarray(i)


def _kth_back(xp, g, x_shape, out, k, dim, keepdim):
    values_grad, indices = g[0], np.asarray(out[1])
    if not keepdim:
        values_grad, indices = xp.expand_dims(values_grad, dim), np.expand_dims(indices, dim)
    return xp.index_add_zeros(x_shape, values_grad.dtype, positions(indices, dim), values_grad)


def _median_index(x):
    # PyTorch's median of an even count is the lower of the two middle values; with a NaN, the first NaN.
    flat = x.reshape(-1)
    nan = np.isnan(flat) if flat.dtype.kind == "f" else None
    if nan is not None and nan.any():
        return np.unravel_index(np.argmax(nan), x.shape)
    return np.unravel_index(np.argsort(flat, kind="stable")[(x.size - 1) // 2], x.shape)


def _median_forward(xp, x, *, k, dim, keepdim):
    v, i = _kth_forward(xp, x, k=k, dim=dim, keepdim=keepdim)
    if x.dtype.kind == "f" and x.ndim:
        nan = xp.isnan(x)
        has_nan = xp.any(nan, axis=dim, keepdims=keepdim)
        if xp.any(has_nan):  # a slice with a NaN has the median NaN, at its first NaN, as in PyTorch
            v = xp.asarray(xp.where(has_nan, xp.nan, v), x.dtype)
            i = xp.asarray(xp.where(has_nan, xp.argmax(nan, axis=dim, keepdims=keepdim), i), np.int64)
    return v, i


_kthvalue = op(_kth_forward, vjp=_kth_back, node="KthvalueBackward0", n_outputs=2, differentiable_outputs=(0,))
_median_dim = op(_median_forward, vjp=_kth_back, node="MedianBackward1", n_outputs=2, differentiable_outputs=(0,))
# Over all elements, PyTorch shares the gradient evenly between elements tied with the median (the NaNs, for a
# NaN median).
_median_all = op(lambda xp, x: xp.asarray(x[_median_index(x)]),
                 vjp=lambda xp, g, x, out: _ties(xp, g, x, out), node="MedianBackward0")


def _ties(xp, g, x, out):
    # PyTorch fills the hits (masked_fill), so that elsewhere the gradient is 0 even when g is NaN or infinite.
    hit = (x == out) | ((x != x) & (out != out))
    return xp.where(hit, g / float(xp.sum(hit)), 0)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest value along dim (k counts from 1), and its index."""
    d = _dim(input, dim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 1 <= k <= size:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}")
    x = input if input._data.ndim else input.reshape(1)
    return kthvalue_type(_kthvalue(x, k=k, dim=d, keepdim=keepdim))


def median(input, dim=None, keepdim=False):
    """The lower median (PyTorch's choice for an even count); with dim, also its index."""
    if dim is None:
        if input._data.size == 0:
            return wrap(np.asarray(np.nan, input._data.dtype))
        return _median_all(input)
    d = _dim(input, dim)
    return median_type(_median_dim(input, k=(input._data.shape[d] + 1) // 2, dim=d, keepdim=keepdim))


name_ops(globals())

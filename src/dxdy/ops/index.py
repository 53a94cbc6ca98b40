"""Indexing: __getitem__, gather/scatter, index_select, masked_fill, take_along_dim.

The transpose of reading at an index is adding into zeros at that index
(`xp.index_add_zeros`), so gradients of repeated indices accumulate.
"""
import builtins
import math

import numpy as np

from ..dtypes import type_name
from ..tensor import Tensor, wrap, _wrap_dim
from ..mode import state as _grad_mode
from ._op import op, overloads, name_ops
from .out import write_out
from .promotion import broadcast_shape
from ._xp import positions, int_range
from ._op import _as_view


# -- __getitem__ ---------------------------------------------------------------------------
def _index_item(i):
    """One component of an index as NumPy understands it (tensors and lists become arrays)."""
    if isinstance(i, Tensor):
        a = i._data
        if a.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if a.dtype == np.uint8:
            a = a.astype(bool)
        if a.ndim == 0:
            return builtins.int(a) if a.dtype.kind in "iu" else builtins.bool(a)  # a 0-d mask acts as True/False
        return np.asarray(a)
    if isinstance(i, (list, tuple)) or isinstance(i, np.ndarray):
        a = np.asarray([_index_item(v) if isinstance(v, Tensor) else v for v in i] if isinstance(i, (list, tuple))
                       else i)
        if a.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if a.dtype == object:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices")
        return a
    if isinstance(i, slice):
        if i.step is not None and _as_int(i.step) == 0:
            raise ValueError("slice step cannot be zero")
        if i.step is not None and _as_int(i.step) < 0:
            raise ValueError("step must be greater than zero")
        return slice(*(None if v is None else _as_int(v) for v in (i.start, i.stop, i.step)))
    if i is None or i is Ellipsis or isinstance(i, (builtins.bool, np.bool_)):
        return i
    if isinstance(i, (builtins.int, np.integer)):
        return builtins.int(i)
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                     "indices (got " + type(i).__name__ + ")")


def _as_int(v):
    return builtins.int(v._data) if isinstance(v, Tensor) else builtins.int(v)


_NoneType, _EllipsisType = type(None), type(Ellipsis)
_ALL = slice(None)


def _plain_key(key, shape):
    """(NumPy's index, PyTorch's node name) for most keys, in one cheap pass; None for any other key.

    Most keys hold only Python ints within bounds, slices of ints with a positive step
    (or none), None, and at most one Ellipsis. Such a key needs no conversion and no
    error; any other key (tensors, lists, bools, NumPy ints, an int out of bounds, a
    second Ellipsis) takes the general path (normalize_key), which gives PyTorch's errors.
    The node is named after the last view the key applies, as in PyTorch.
    """
    items = key if key.__class__ is tuple else (key,)
    ndim = len(shape)
    dim = 0  # the dim of the indexed tensor that the item applies to
    ellipsis = False
    name = "AliasBackward0"
    for k, i in enumerate(items):
        c = i.__class__
        if c is int:
            if dim >= ndim or not -shape[dim] <= i < shape[dim]:
                return None
            dim += 1
            name = "SelectBackward0"
        elif c is slice:
            start, stop, step = i.start, i.stop, i.step
            if dim >= ndim or not (start is None or start.__class__ is int) \
                    or not (stop is None or stop.__class__ is int) \
                    or not (step is None or (step.__class__ is int and step > 0)):
                return None
            dim += 1
            if i != _ALL:
                name = "SliceBackward0"
        elif c is _EllipsisType:
            if ellipsis:
                return None
            ellipsis = True
            after = 0  # the items after it index the last dims (counted by identity: a key may hold arrays)
            for j in items[k + 1:]:
                if j is not None:
                    after += 1
            if dim + after > ndim:
                return None  # too many indices
            dim = ndim - after
        elif c is _NoneType:
            name = "UnsqueezeBackward0"
        else:
            return None
    return (items if ellipsis else items + (Ellipsis,)), name


def normalize_key(key, shape):
    """A NumPy index for `key`, checked against `shape` with PyTorch's errors; and whether it is advanced.

    A key of only ints, slices, None and Ellipsis keeps an Ellipsis at its end so
    that NumPy returns a (0-d) view, never a scalar copy. As in PyTorch, an Ellipsis
    after the first stands for no dims.
    """
    plain = _plain_key(key, shape)
    if plain is not None:
        return plain[0], False
    items = [_index_item(i) for i in key] if isinstance(key, tuple) else [_index_item(key)]
    ellipses = consumed = 0  # consumed: how many dims of the tensor the key indexes
    advanced = False
    for i in items:  # (one pass: this runs on every x[...])
        if i is Ellipsis:
            ellipses += 1
        elif isinstance(i, np.ndarray):
            advanced = True
            consumed += builtins.max(i.ndim, 1) if i.dtype == bool else 1
        elif isinstance(i, (builtins.bool, np.bool_)):
            advanced = True
        elif i is not None:
            consumed += 1
    if ellipses > 1:
        first = items.index(Ellipsis)
        items = items[:first + 1] + [i for i in items[first + 1:] if i is not Ellipsis]
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    dim = 0       # the dim of the indexed tensor that the item applies to
    indexed = 0   # how many dims advanced indices have taken so far (PyTorch's messages count those)
    for k, i in enumerate(items):
        if i is Ellipsis:
            dim += len(shape) - consumed
            continue
        if i is None or isinstance(i, (builtins.bool, np.bool_)):
            continue
        if isinstance(i, builtins.int):
            size = shape[dim]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
        elif isinstance(i, np.ndarray):
            if i.dtype == bool:
                for k, n in enumerate(i.shape):
                    if shape[dim + k] != n:
                        raise IndexError(f"The shape of the mask {list(i.shape)} at index {k} does not match the "
                                         f"shape of the indexed tensor {list(shape)} at index {dim + k}")
                dim += builtins.max(i.ndim, 1)
                indexed += builtins.max(i.ndim, 1)
                continue
            size = shape[dim]
            lo, hi = int_range(i) if i.size else (0, -1)  # (the common case, every index in range, pays only this)
            if hi >= size or lo < -size:
                if size and 0 in shape:
                    # A tensor of no elements: PyTorch checks no index into its non-empty dims (the result has no
                    # elements either); any index in range selects the same nothing.
                    items[k] = np.zeros_like(i)
                elif size == 0:  # PyTorch's message for an empty dim names neither the index nor the dim
                    raise IndexError("index is out of bounds for dimension with size 0")
                else:
                    bad = (i >= size) | (i < -size)
                    raise IndexError(f"index {builtins.int(i[bad].flat[0])} is out of bounds for dimension "
                                     f"{indexed} with size {size}")
            indexed += 1
        dim += 1
    items = tuple(items)
    if not advanced and Ellipsis not in items:
        items = items + (Ellipsis,)
    return items, advanced


def _embed(xp, g, x_shape, key):
    return xp.index_add_zeros(x_shape, g.dtype, key, g)


def _index(xp, x, *, key):
    return x[key]


_GETITEM = {name: op(_index, vjp=_embed, node=name, view=name != "IndexBackward0", linear=True,
                     saves_index=name == "IndexBackward0")
            for name in ("IndexBackward0", "SelectBackward0", "SliceBackward0", "UnsqueezeBackward0",
                         "AliasBackward0")}
_select = _GETITEM["SelectBackward0"]
_SELECT_NODE, _ndarray = _select.node, np.ndarray


def getitem(input, key):
    """`x[key]`: ints, slices, None, Ellipsis, bool masks, integer tensors or lists.

    Basic indexing returns a view; integer and mask indexing returns a copy, and
    repeated indices accumulate their gradients.
    """
    a = input._data
    shape = a.shape
    if key.__class__ is int and shape and -shape[0] <= key < shape[0]:  # x[i], the commonest key of all
        items = (key, Ellipsis)
        if a.__class__ is not _ndarray or input._rg and _grad_mode.grad_enabled:
            return _select(input, key=items)
        # No graph to record: the view _select makes (op's call for views), with less Python.
        result = wrap(a[items])
        _as_view(result, input, _SELECT_NODE, _index, {"key": items}, None)
        return result
    plain = _plain_key(key, shape)
    if plain is None:
        try:
            items, advanced = normalize_key(key, shape)
        except Exception:
            # A key holding a string (which normalize_key always refuses) gets this error first, as PyTorch
            # tries to make an index tensor of the string before it reads the rest of the key.
            for k in key if isinstance(key, tuple) else (key,):
                if isinstance(k, (str, bytes)):
                    raise TypeError(f"new(): invalid data type '{type_name(k)}'") from None
            raise
        # normalize_key made a basic key plain (ints, slices of ints, None, one Ellipsis).
        plain = (_expand_masks(items), "IndexBackward0") if advanced else _plain_key(items, shape)
    items, name = plain
    return _GETITEM[name](input, key=items)


def _expand_masks(items):
    # A boolean mask stands for the integer indices of its True entries.
    out = []
    for i in items:
        if isinstance(i, np.ndarray) and i.dtype == bool:
            out.extend(np.nonzero(i))
        else:
            out.append(i)
    return tuple(out)


# -- gather and scatter -----------------------------------------------------------------------
_positions = positions


_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))  # (dtypes: comparing with a type converts it first)


def _check_index(name, x, dim, index, src=None):
    """(dim, index array) for gather and scatter, checked in PyTorch's order with its errors.

    `src`: scatter's source, whose shape must hold the index's too (a number: nothing to check)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 3) must be Tensor, not {type(index).__name__}")
    n = x._data.ndim
    d = _wrap_dim(dim, n)
    a = index._data
    if a.size == 0:  # an empty index selects nothing: PyTorch checks nothing more
        return d, a.astype(np.int64)
    if a.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    a = a.astype(np.int64, copy=False)
    ishape, xshape = a.shape or (1,), x._data.shape or (1,)  # a 0-d tensor counts as 1-d here
    if len(ishape) != len(xshape):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    larger = [k for k in range(len(ishape)) if k != d and ishape[k] > xshape[k]]
    if src is None and larger:
        raise RuntimeError(f"Size does not match at dimension {larger[0]} expected index {list(a.shape)} to be no "
                           f"larger than self {list(x._data.shape)} apart from dimension {d}")
    if src is not None:
        src_shape = src._data.shape if isinstance(src, Tensor) else None
        if src_shape is not None:
            for k in range(len(ishape) if not larger else 0):
                if ishape[k] > _size_at(src_shape, k):
                    larger.append(k)
                    break
        src_dims_differ = src_shape is not None and len(src_shape or (1,)) != len(ishape)
        if larger and not src_dims_differ:
            raise RuntimeError(f"Expected index {list(a.shape)} to be no larger than self {list(x._data.shape)} "
                               f"apart from dimension {d}" +
                               (f" and to be no larger size than src {list(src_shape)}" if src_shape is not None
                                else ""))
        if src_dims_differ:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    size = xshape[d]
    lo, hi = int_range(a)
    if hi >= size or lo < 0:
        raise RuntimeError(f"index {hi if hi >= size else lo} is out of bounds for dimension {d} with size {size}")
    return d, a


def _size_at(shape, k):
    """shape[k] as PyTorch's scatter check reads it: 1 for a 0-d tensor, its IndexError past the last dim."""
    return shape[_wrap_dim(k, len(shape))] if shape else 1


def _as_1d(shape, index):
    """A 0-d input is indexed as one of shape (1,), with the index flattened (gather, scatter of scalars);
    a 0-d index into a 1-d input is taken as one of shape (1,), as in PyTorch."""
    if shape == ():
        return (1,), np.reshape(index, (-1,))
    if index.size == 0:  # an empty index, of any number of dims, selects nothing
        return tuple(shape), np.zeros((0,) * len(shape), np.int64)
    return tuple(shape), (np.reshape(index, (1,)) if index.ndim == 0 else index)


def _gather_forward(xp, x, *, dim, index):
    shape, idx = _as_1d(x.shape, index)
    return xp.reshape(xp.reshape(x, shape)[_positions(idx, dim)], index.shape)


def _gather_vjp(xp, g, x, dim, index):
    x_shape = tuple(x.shape)  # (x, not x_shape: PyTorch's node saves the input, so changing it fails backward)
    shape, idx = _as_1d(x_shape, index)
    return xp.reshape(xp.index_add_zeros(shape, g.dtype, _positions(idx, dim), xp.reshape(g, idx.shape)), x_shape)


_gather = op(_gather_forward, vjp=_gather_vjp, node="GatherBackward0", linear=True, saves_index=True)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """out[i][j] = input[i][index[i][j]] for dim 1 (and likewise for other dims)."""
    d, a = _check_index("gather", input, dim, index)
    return write_out(_gather(input, dim=d, index=a), out)


def _scatter_forward(xp, x, src, *, dim, index, add=False):
    shape, idx = _as_1d(x.shape, index)
    out = np.array(x).reshape(shape)
    if idx.size == 0:
        return out.reshape(x.shape)
    pos = _positions(idx, dim)
    part = xp.reshape(src[tuple(slice(0, n) for n in idx.shape)], idx.shape) if np.ndim(src) else src
    if add:
        np.add.at(out, pos, part)
    else:
        out[pos] = part
    return out.reshape(x.shape)


def _scatter_add_forward(xp, x, src, *, dim, index):
    return _scatter_forward(xp, x, src, dim=dim, index=index, add=True)


def _src_grad(xp, g, src_shape, dim, index):
    # src contributes only where index reaches: its gradient is g gathered there, zero elsewhere.
    if index.size == 0:
        return xp.zeros(src_shape, g.dtype)
    picked = _gather_forward(xp, g, dim=dim, index=index)
    return xp.index_add_zeros(src_shape, g.dtype, tuple(slice(0, n) for n in index.shape), picked)


def _scatter_self_grad(xp, g, dim, index):
    shape, idx = _as_1d(g.shape, index)
    return xp.reshape(xp.index_put_zeros(xp.reshape(g, shape), _positions(idx, dim)), g.shape)


_scatter = overloads(op, None, rows={
    "scatter.src": dict(f=_scatter_forward,
                        vjp=(lambda xp, g, dim, index: _scatter_self_grad(xp, g, dim, index),
                             lambda xp, g, src_shape, dim, index: _src_grad(xp, g, src_shape, dim, index)),
                        node="ScatterBackward0"),
    "scatter.value": dict(f=lambda xp, x, *, dim, index, value: _scatter_forward(xp, x, value, dim=dim, index=index),
                          vjp=lambda xp, g, dim, index: _scatter_self_grad(xp, g, dim, index),
                          node="ScatterBackward1", saves_index=True),
})
_scatter_add = op(_scatter_add_forward,
                  vjp=(lambda xp, g: g,
                       lambda xp, g, src_shape, dim, index: _src_grad(xp, g, src_shape, dim, index)),
                  node="ScatterAddBackward0")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src (or value) written at index along dim (out of place)."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported; use scatter_add or scatter_reduce")
    if src is None:
        src = value
    d, a = _check_index("scatter", input, dim, index, src)
    if isinstance(src, Tensor):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        return _scatter["scatter.src"](input, src, dim=d, index=a)
    return _scatter["scatter.value"](input, dim=d, index=a, value=src)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along dim; repeated indices accumulate."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' (position 4) must be Tensor, not {type_name(src)}")
    d, a = _check_index("scatter_add", input, dim, index, src)
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter_add(): Expected self.dtype to be equal to src.dtype")
    return _scatter_add(input, src, dim=d, index=a)


def _index_select_forward(xp, x, *, dim, index):
    return xp.take(x, index, axis=dim) if x.ndim else x.copy()  # (a 0-d x takes one index, 0)


def _index_select_vjp(xp, g, x_shape, dim, index):
    return xp.index_add_zeros(x_shape, g.dtype, (slice(None),) * dim + (index,), g) if x_shape else g[...]


_index_select = op(_index_select_forward, vjp=_index_select_vjp, node="IndexSelectBackward0", linear=True,
                   saves_index=True)


_take = op(lambda xp, x, *, index: xp.reshape(x, (-1,))[index],
           vjp=lambda xp, g, x, index: xp.reshape(  # (x, not its shape: PyTorch's node saves it)
               xp.index_add_zeros((math.prod(x.shape),), g.dtype, index, g), tuple(x.shape)),
           node="TakeBackward0", linear=True, saves_index=True)


def take(input, index, *, out=None):
    """The elements of input, read as a flat tensor, at `index` (the result has index's shape)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"take(): argument 'index' (position 2) must be Tensor, not {type_name(index)}")
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {index.dtype.type_name}")
    n, a = input._data.size, np.asarray(index._data)
    bad = a[(a >= n) | (a < -n)]
    if bad.size:
        raise IndexError(f"out of range: tried to access index {bad.flat[0]} on a tensor of {n} elements.")
    return write_out(_take(input, index=np.where(a < 0, a + n, a)), out)


def index_select(input, dim, index, *, out=None):
    """The slices of input at `index` (a 1-D integer tensor) along dim."""
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' (position 2) must be Tensor, not {type_name(index)}")
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"index_select(): argument 'dim' (position 1) must be int, not {type_name(dim)}")
    if index._data.dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    a = index._data
    if a.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    size = input._data.shape[d] if n else 1
    if n == 0 and a.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {a.size} value(s)")
    bad = a.reshape(-1)[(a.reshape(-1) < 0) | (a.reshape(-1) >= size)]
    if bad.size:  # PyTorch's three errors, as its CPU kernels raise them (dim 1 has a kernel of its own)
        if size == 0 and n > 1:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if n <= 1 or (d != 1 and input._data.size):
            raise IndexError("index out of range in self")
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={builtins.int(bad[0])} axis_dim={size}")
    return write_out(_index_select(input, dim=d, index=a.reshape(-1)), out)


def take_along_dim(input, indices, dim=None):
    """Values at `indices` along dim (over the flattened input when dim is None); shapes broadcast."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"take_along_dim(): argument 'indices' (position 2) must be Tensor, not {type_name(indices)}")
    if indices._data.dtype.kind not in "iu":
        got = indices.dtype.type_name if isinstance(indices, Tensor) else type(indices).__name__
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {got}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    n = input._data.ndim
    if indices._data.ndim != n:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {n} dimensions for input, and {indices._data.ndim} dimensions for indices")
    d = _wrap_dim(dim, n)
    xs, ix = list(input._data.shape), list(indices._data.shape)
    xs[d] = ix[d] = 1
    shape = broadcast_shape(tuple(xs), tuple(ix))
    x = input.expand(shape[:d] + (input._data.shape[d],) + shape[d + 1:])
    i = indices.expand(shape[:d] + (indices._data.shape[d],) + shape[d + 1:])
    return gather(x, d, i)


_masked_fill = overloads(op, None, broadcasts=True, saves_index=True, rows={
    "masked_fill.Scalar": dict(f=lambda xp, x, *, mask, value: xp.where(mask, value, x),
                               vjp=lambda xp, g, mask: xp.where(mask, 0, g), node="MaskedFillBackward0"),
    "masked_fill.Tensor": dict(f=lambda xp, x, value, *, mask: xp.where(mask, value, x),
                               vjp=(lambda xp, g, mask: xp.where(mask, 0, g),
                                    lambda xp, g, mask: xp.sum(xp.where(mask, g, 0))),
                               node="MaskedFillBackward1"),
})

def masked_fill(input, mask, value):
    """A copy of input with `value` where mask (a bool tensor broadcasting with input) is True."""
    if not isinstance(mask, Tensor) or not isinstance(value, (Tensor, builtins.int, builtins.float, np.number,
                                                              np.bool_)):
        raise TypeError(f"masked_fill() received an invalid combination of arguments - got ({type_name(mask)}, "
                        f"{type_name(value)}), but expected one of:")
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           + (mask.dtype.cpp_name if isinstance(mask, Tensor) else type(mask).__name__))
    m = np.broadcast_to(mask._data, broadcast_shape(mask._data.shape, input._data.shape))
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        v = value if value._data.dtype == input._data.dtype else value.to(input.dtype)
        return _masked_fill["masked_fill.Tensor"](input, v, mask=m)
    return _masked_fill["masked_fill.Scalar"](input, mask=m, value=np.asarray(value, input._data.dtype))


_masked_select = op(lambda xp, x, *, mask: x[mask],
                    vjp=lambda xp, g, x, mask: xp.index_add_zeros(tuple(x.shape), g.dtype, mask, g),
                    node="MaskedSelectBackward0", linear=True, saves_index=True)


def masked_select(input, mask, *, out=None):
    """The elements of input where mask is True, as a 1-D tensor."""
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_select(): argument 'mask' (position 2) must be Tensor, not {type_name(mask)}")
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shape(mask._data.shape, input._data.shape)
    x = input.expand(shape) if input._data.shape != shape else input
    return write_out(_masked_select(x, mask=np.broadcast_to(mask._data, shape)), out)


# The transposes used by rules, as differentiable ops for create_graph (see _tensor_ns.py).
_index_add_zeros = op(lambda xp, v, *, shape, key: xp.index_add_zeros(shape, v.dtype, key, v),
                      vjp=lambda xp, g, key: g[key], node="IndexPutBackward0", linear=True)
_index_put_zeros = op(lambda xp, v, *, key: xp.index_put_zeros(v, key),
                      vjp=lambda xp, g, key: xp.index_put_zeros(g, key), node="IndexPutBackward0", linear=True)


def nonzero(input, *, as_tuple=False, out=None):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one tensor per dim."""
    idx = np.nonzero(np.atleast_1d(input._data))
    if as_tuple:
        return write_out(tuple(wrap(i.astype(np.int64)) for i in idx), out)
    return write_out(wrap(np.stack(idx, axis=1).astype(np.int64) if input._data.ndim else
                np.zeros((builtins.int(idx[0].size), 0), np.int64)), out)


def argwhere(input):
    return nonzero(input)


# -- index_add, index_copy, index_fill ---------------------------------------------------------------------
def _along(dim, index):
    return (slice(None),) * dim + (index,)


def _index_add_forward(xp, x, src, *, dim, index, alpha):
    out = np.array(x).reshape(x.shape or (1,))
    if out.size == 0:  # (where PyTorch checks no index either)
        return out
    part = src.reshape(src.shape or (1,)) if np.ndim(src) == 0 or out.ndim != np.ndim(src) else src
    np.add.at(out, _along(dim, index), part * alpha if alpha != 1 else part)
    return out.reshape(x.shape)


def _index_copy_forward(xp, x, src, *, dim, index):
    out = np.array(x).reshape(x.shape or (1,))
    if out.size == 0:  # (where PyTorch checks no index either)
        return out
    out[_along(dim, index)] = src.reshape(src.shape or (1,)) if out.ndim != np.ndim(src) else src
    return out.reshape(x.shape)


def _picked(xp, g, src_shape, dim, index):
    """g's slices at index along dim, in source's shape."""
    g1 = xp.reshape(g, (1,)) if g.ndim == 0 else g
    return xp.reshape(xp.take(g1, index, axis=dim), src_shape)


def _index_put_zeros_along(xp, g, dim, index):
    g1 = xp.reshape(g, (1,)) if g.ndim == 0 else g
    return xp.reshape(xp.index_put_zeros(g1, _along(dim, index)), g.shape)


# (src, not its shape: PyTorch's node saves the source when it needs a gradient.)
_index_add = op(_index_add_forward,
                vjp=(lambda xp, g: g,
                     lambda xp, g, src, dim, index, alpha: _picked(xp, g, tuple(src.shape), dim, index) * alpha),
                node="IndexAddBackward0", saves_index=True)
_index_copy = op(_index_copy_forward,
                 vjp=(lambda xp, g, dim, index: _index_put_zeros_along(xp, g, dim, index),
                      lambda xp, g, src, dim, index: _picked(xp, g, tuple(src.shape), dim, index)),
                 node="IndexCopyBackward0", saves_index=True)
_index_fill = overloads(op, None, saves_index=True, rows={
    "index_fill.int_Scalar": dict(
        f=lambda xp, x, *, dim, index, value: _index_copy_forward(xp, x, np.asarray(value, x.dtype), dim=dim,
                                                                  index=index),
        vjp=lambda xp, g, dim, index: _index_put_zeros_along(xp, g, dim, index), node="IndexFillBackward0"),
    "index_fill.int_Tensor": dict(
        f=lambda xp, x, value, *, dim, index: _index_copy_forward(xp, x, value.astype(x.dtype), dim=dim,
                                                                  index=index),
        vjp=(lambda xp, g, dim, index: _index_put_zeros_along(xp, g, dim, index),
             lambda xp, g, dim, index: xp.asarray(xp.sum(
                 xp.take(xp.reshape(g, (1,)) if g.ndim == 0 else g, index, axis=dim)))),
        node="IndexFillBackward1"),
})


def _index_arg(name, input, dim, index):
    """dim (wrapped) and index (1-D int64, negative values as they are) for index_add / index_copy / index_fill,
    with PyTorch's errors, which differ from op to op. The values are checked last (_in_range)."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not {type_name(index)}")
    a = index._data
    if name == "index_fill":
        if a.dtype != np.int64:
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        if a.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")
    elif name == "index_copy":
        if a.ndim > 1:
            raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {a.ndim})")
        if a.dtype != np.int64:
            raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {index.dtype.type_name}")
    else:
        if a.dtype not in _INDEX_DTYPES:
            raise RuntimeError(f"{name}_(): Expected dtype int32/int64 for index but got: {index.dtype.type_name}")
        if a.ndim > 1:
            raise IndexError(f"{name}_(): Index is supposed to be a vector, but got dim: {a.ndim} with type: "
                             f"{index.dtype.type_name} and size: {list(a.shape)}")
    return _wrap_dim(dim, input._data.ndim), a.reshape(-1).astype(np.int64)


def _in_range(name, input, d, a, alpha=1):
    """The index values, negative ones (index_fill's) wrapped; PyTorch's error for one out of range."""
    n = input._data.ndim
    size = input._data.shape[d] if n else 1
    if input._data.size == 0 and (size if name != "index_add" else n > 1):
        return a  # PyTorch's kernels write nothing into an empty tensor, and check nothing
    bad = a[((a < -size) if name == "index_fill" else (a < 0)) | (a >= size)]
    if bad.size:
        # (PyTorch's kernels word it so for a vector, along a middle dim or with an alpha)
        if name == "index_add" and (n <= 1 or 0 < d < n - 1 or alpha != 1):
            raise IndexError("index out of range in self")
        if name == "index_add":
            raise RuntimeError(f"index {builtins.int(bad[0])} is out of bounds for dimension {d} with size {size}")
        prefix = "index_copy_(): " if name == "index_copy" else ""
        # (Into a dim of size 0 PyTorch's kernel fails as it makes its view of the slice: a RuntimeError.)
        raise (RuntimeError if size == 0 else IndexError)(f"{prefix}index {builtins.int(bad[0])} is out of bounds for dimension {d} with size {size}")
    return np.where(a < 0, a + size, a)


def _source_arg(name, input, d, a, source):
    """Check index_add's or index_copy's source against input and index, in PyTorch's order (its messages)."""
    if not isinstance(source, Tensor):
        raise TypeError(f"{name}(): argument 'source' (position 3) must be Tensor, not {type_name(source)}")
    if source._data.dtype != input._data.dtype:
        if name == "index_copy":
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                               f"{input.dtype.type_name} and (source) {source.dtype.type_name}")
        raise RuntimeError(f"{name}_(): self ({input.dtype.type_name}) and source ({source.dtype.type_name}) must "
                           f"have the same scalar type")
    s, x = source._data.shape, input._data.shape
    if name == "index_copy":
        if s and x and len(s) != len(x):
            raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality "
                             f"must match. Source dimensionality ({len(s)}), destination dimensionality ({len(x)})")
        if not s and a.size != 1:
            raise IndexError(f"index_copy_(): When source is scalar, index should have one element (got {a.size})")
        xs, ss = x[:d] + x[d + 1:], s[:d] + s[d + 1:]
        if xs != ss:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination "
                               f"slice shape: {' '.join(map(str, xs))} at dimension {d} and source slice shape: "
                               f"{' '.join(map(str, ss))} at dimension 0.")
        if s and a.size != s[d]:
            raise IndexError(f"index_copy_(): Number of indices ({a.size}) should be equal to source.size(dim) "
                             f"({s[d]})")
        return
    if d > 0 and d >= len(s):
        raise RuntimeError(f"{name}_(): Indexing dim {d} is out of bounds of the source tensor with dim {len(s)}")
    if a.size != (s[d] if s else 1):
        # (PyTorch's message reads source.size(dim), which a 0-d source does not have)
        n_src = s[_wrap_dim(d, len(s), scalar_ok=False)]
        raise RuntimeError(f"{name}_(): Number of indices ({a.size}) should be equal to source.size(dim): "
                           f"({n_src}), for dim: {d}")
    if (x[:d] + x[d + 1:] != s[:d] + s[d + 1:]) if x and s else x != s:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(x)} source.shape = {list(s)}")


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of input with alpha * source added at index along dim; repeated indices accumulate."""
    d, a = _index_arg("index_add", input, dim, index)
    _source_arg("index_add", input, d, a, source)
    a = _in_range("index_add", input, d, a, alpha)
    return write_out(_index_add(input, source, dim=d, index=a, alpha=alpha), out)


def index_copy(input, dim, index, source, *, out=None):
    """A copy of input with the slices of source written at index along dim."""
    d, a = _index_arg("index_copy", input, dim, index)
    _source_arg("index_copy", input, d, a, source)
    a = _in_range("index_copy", input, d, a)
    return write_out(_index_copy(input, source, dim=d, index=a), out)


def index_fill(input, dim, index, value):
    """A copy of input with value written into the slices at index along dim."""
    d, a = _index_arg("index_fill", input, dim, index)
    a = _in_range("index_fill", input, d, a)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return _index_fill["index_fill.int_Tensor"](input, value, dim=d, index=a)
    return _index_fill["index_fill.int_Scalar"](input, dim=d, index=a, value=value)


# -- isin, searchsorted, bincount, unique ------------------------------------------------------------------
def _array_of(name, v, what):
    if isinstance(v, Tensor):
        return v._data
    if isinstance(v, (builtins.int, builtins.float, builtins.bool, np.number)):
        return np.asarray(v)
    raise TypeError(f"{name}(): argument '{what}' must be Tensor or Number, not {type_name(v)}")


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """For each element, whether it is among test_elements (a boolean tensor of elements' shape)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: elements or test_elements must be "
                        "a Tensor")
    e = _array_of("isin", elements, "elements")
    t = _array_of("isin", test_elements, "test_elements")
    if e.dtype == np.bool_ or t.dtype == np.bool_:
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    return write_out(wrap(np.asarray(np.isin(e, t, invert=invert))), out)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Where each value of input would go in sorted_sequence (its last dim) to keep it sorted."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    if not isinstance(sorted_sequence, Tensor) or not isinstance(sorter, (Tensor, type(None))):
        got = [_kind(sorted_sequence), _kind(input)] + ([f"sorter={_kind(sorter)}"] if sorter is not None else [])
        raise TypeError(f"searchsorted() received an invalid combination of arguments - got ({', '.join(got)}), "
                        f"but expected one of:")
    seq = sorted_sequence._data
    v = _array_of("searchsorted", input, "input")
    scalar = not isinstance(input, Tensor)
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if sorter is not None:
        order = sorter._data
        if order.shape != seq.shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor {list(order.shape)}")
        if order.dtype != np.int64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                               f"{sorter.dtype.type_name}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        seq = np.take_along_axis(seq, order, axis=-1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        r = np.searchsorted(seq, v, side=how)
    else:
        if scalar or v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}")
        s2, v2 = seq.reshape(-1, seq.shape[-1]), v.reshape(-1, v.shape[-1])
        r = np.stack([np.searchsorted(a, b, side=how) for a, b in zip(s2, v2)]).reshape(v.shape) if s2.shape[0] \
            else np.zeros(v.shape, np.int64)
    return write_out(wrap(np.asarray(r, np.int32 if out_int32 else np.int64)), out)


def _kind(v):
    return "Tensor" if isinstance(v, Tensor) else type_name(v)


def _no_derivative_vjp(xp, g, message):
    raise (RuntimeError if message.startswith("derivative for aten::") else NotImplementedError)(message)


def _no_derivative(node):
    """A row that hands back precomputed values with a node that refuses backward, as PyTorch's does."""
    return op(lambda xp, x, *, values, message: values, vjp=_no_derivative_vjp, node=node)


_unique_node, _unique_dim_node = _no_derivative("Unique2Backward0"), _no_derivative("UniqueDimBackward0")
_unique_consecutive_node = _no_derivative("UniqueConsecutiveBackward0")
_bincount_node = _no_derivative("NotImplemented")


def _attached(row, source, values, message):
    # values as a result of `source` in the graph (when it requires grad), whose backward refuses
    if source._rg and _grad_mode.grad_enabled:
        return row(source, values=values, message=message)
    return wrap(values)


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ... occurs in a 1-D non-negative integer tensor (or the sums of weights)."""
    a = input._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{input.dtype.type_name}'")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and not isinstance(weights, Tensor):
        raise TypeError(f"bincount(): argument 'weights' (position 2) must be Tensor, not {type_name(weights)}")
    if weights is None or a.size == 0:  # (PyTorch counts nothing, and ignores the weights, for no input)
        return wrap(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return _attached(_bincount_node, weights, np.bincount(a, weights=w, minlength=minlength).astype(dtype),
                     "derivative for aten::bincount is not implemented")


def _unique_result(values, inverse, counts, return_inverse, return_counts, graph=None):
    out = [wrap(values) if graph is None else _attached(graph[0], graph[1], values, graph[2])]
    if return_inverse:
        out.append(wrap(inverse.astype(np.int64)))
    if return_counts:
        out.append(wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def _selected_empty(shape, d):
    """PyTorch's error for unique along dim d of an empty tensor whose dim d is not the empty one."""
    if 0 in shape and shape[d]:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along dim), in order; with where each element went and how often."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        values, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True, equal_nan=False)
        return _unique_result(values, np.reshape(inverse, a.shape), counts, return_inverse, return_counts,
                              (_unique_node, input, "the derivative for '_unique2' is not implemented."))
    d = _wrap_dim(dim, a.ndim, scalar_ok=False)
    _selected_empty(a.shape, d)
    if a.shape[d] == 0:
        return _unique_result(a.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64), return_inverse,
                              return_counts, (_unique_dim_node, input, "the derivative for 'unique_dim' is not "
                                                                       "implemented."))
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d)
    return _unique_result(values, np.reshape(inverse, -1), counts, return_inverse, return_counts,
                          (_unique_dim_node, input, "the derivative for 'unique_dim' is not implemented."))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Each run of equal consecutive elements (or slices along dim) reduced to one."""
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        starts = np.ones(flat.shape, bool)
        starts[1:] = flat[1:] != flat[:-1]
        values, shape = flat[starts], a.shape
    else:
        d = _wrap_dim(dim, a.ndim, scalar_ok=False)
        _selected_empty(a.shape, d)
        moved = np.moveaxis(a, d, 0).reshape(a.shape[d], math.prod(a.shape) // a.shape[d] if a.shape[d] else 0)
        starts = np.ones(a.shape[d], bool)
        starts[1:] = (moved[1:] != moved[:-1]).any(axis=1) if moved.shape[1] else False
        values, shape = np.ascontiguousarray(np.compress(starts, a, axis=d)), (a.shape[d],)
    inverse = (np.cumsum(starts) - 1).reshape(shape)
    counts = np.diff(np.append(np.flatnonzero(starts), starts.size))
    return _unique_result(values, inverse, counts, return_inverse, return_counts,
                          (_unique_consecutive_node, input, "the derivative for 'unique_consecutive' is not "
                                                            "implemented."))


name_ops(globals())

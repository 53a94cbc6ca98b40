"""Shape ops: reshape and views, transposes, expand/repeat, flip/roll, cat/stack/split.

All are linear: each rule is the transpose of the op. Ops that return views
(reshape when it can, transpose, expand, ...) share the input's version counter.
"""
import builtins
import itertools
import math

import numpy as np

from .. import dtypes as _dt
from ..dtypes import type_name
from ..creation import int_tuple_arg, _tensor_arg, nonnegative_shape
from ..tensor import Tensor, Size, wrap, _wrap_dim, version_counter, allocation_error
from ..messages import warn_once
from ._op import op, overloads, name_ops
from .out import write_out
from .promotion import broadcast_shape, as_operands
from .index import index_select as _index_select


def _shape_arg(shape, fn="reshape", name="shape", keyword=None):
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(name=(2, 3))` (`keyword`) as a tuple of ints (PyTorch's
    TypeError for anything else)."""
    if keyword is None:  # the common case first: plain ints, as they are or in one tuple
        sizes = shape[0] if len(shape) == 1 and shape[0].__class__ is tuple else shape
        for s in sizes:
            if s.__class__ is not builtins.int:
                break
        else:
            return sizes
    if len(shape) == 1 and not isinstance(shape[0], (builtins.int, np.integer, Tensor, tuple, list)) and \
            hasattr(shape[0], "__len__") and not isinstance(shape[0], str):
        shape = (tuple(shape[0]),)  # a torch.Size-like sequence, or a 1-D array of sizes
    return int_tuple_arg(fn, name, shape, keyword)


def _dim_arg(fn, name, position, dim):
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be int, not {type_name(dim)}")
    return dim


def infer_shape(shape, numel):
    """`shape` with a -1 filled in; RuntimeError as PyTorch when it cannot hold `numel` elements."""
    shape = tuple(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               f"unspecified dimension size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _unreshape(xp, g, x_shape):
    return xp.reshape(g, x_shape)


def _unsqueeze_to(xp, g, x_shape):
    # g itself when nothing was squeezed, as PyTorch's unsqueeze_to
    return g if tuple(g.shape) == tuple(x_shape) else xp.reshape(g, x_shape)


_reshape = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="ViewBackward0", view=True,
              linear=True)
_reshape_alias = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="ReshapeAliasBackward0",
                    view=True, linear=True)  # a view of a non-contiguous input
_reshape_copy = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="UnsafeViewBackward0",
                   linear=True)


def _view_forward(xp, x, *, shape):
    try:
        return xp.reshape(x, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.") from None


_view = op(_view_forward, vjp=_unreshape, node="ViewBackward0", view=True, linear=True)


def reshape(input, *sizes, shape=None):
    """The same elements in a new shape (a view when the memory allows, else a copy); one size may be -1."""
    s = infer_shape(_shape_arg(sizes, "reshape", "shape", shape), input._data.size)
    a = input._data
    if a.ndim == 0 or a.size == 0 or a.flags.c_contiguous:  # (a 0-d result may be held as a NumPy scalar)
        return _reshape(input, shape=s)
    if np.shares_memory(np.reshape(a, s), a):
        return _reshape_alias(input, shape=s)
    return _reshape_copy(input, shape=s)


def view(input, *sizes, size=None, dtype=None):
    """The same memory seen in a new shape; RuntimeError when the strides do not allow it (use reshape).

    `x.view(dtype)` reinterprets the memory as another dtype (no gradient flows through it, as in PyTorch).
    """
    if dtype is not None:  # x.view(dtype=...)
        if sizes or size is not None:
            raise TypeError("view() received an invalid combination of arguments - got a size and a dtype, but "
                            "expected one of:")
        sizes = (dtype,)
    if len(sizes) == 1 and sizes[0].__class__ is _dt.dtype:
        return _view_dtype(input, sizes[0])
    if len(sizes) == 1 and not isinstance(sizes[0], (builtins.int, np.integer, Tensor, tuple, list)):
        raise TypeError(f"view() received an invalid combination of arguments - got ({type_name(sizes[0])}), but "
                        f"expected one of:")
    return _view(input, shape=infer_shape(_shape_arg(sizes, "view", "size", size), input._data.size))


def _view_dtype(input, d):
    a = np.asarray(input._data)
    if d.np.itemsize != a.itemsize and (a.ndim == 0 or a.strides[-1] != a.itemsize):
        raise RuntimeError(f"self.stride(-1) must be 1 to view {input.dtype.type_name} as {d.type_name} (different "
                           f"element sizes), but got {a.strides[-1] // a.itemsize if a.ndim else 0}")
    out = wrap(a.view(d.np))
    out._vc = version_counter(input)
    return out


def view_as(input, other):
    return view(input, _tensor_arg("view_as", other, "other", 1)._data.shape)


def reshape_as(input, other):
    return reshape(input, _tensor_arg("reshape_as", other, "other", 1)._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes 1-d)."""
    shape = input._data.shape
    _dim_arg("flatten", "start_dim", 1, start_dim)
    _dim_arg("flatten", "end_dim", 2, end_dim)
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if not shape:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


_ravel_copy = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="ViewBackward0", linear=True)


def ravel(input):
    """The elements as a 1-D tensor (a view when the memory allows; else a contiguous copy, viewed)."""
    a = input._data
    if a.size and a.ndim and not a.flags.c_contiguous:  # PyTorch: contiguous(), then view
        return _ravel_copy(input, shape=(a.size,))
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    """Split dim `dim` into `sizes` (one may be -1)."""
    shape = input._data.shape
    _wrap_dim(dim, len(shape))
    if not shape:  # PyTorch's message wraps the error of its dim check
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but tensor has no "
                           f"dimensions")
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = infer_shape(sizes, shape[d])
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                           f"({shape[d]}) in the input tensor") from None
    return _view(input, shape=shape[:d] + sizes + shape[d + 1:])  # splitting a dim is always a view


_squeeze = overloads(op, lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unsqueeze_to, view=True, linear=True,
                     rows={"squeeze": "SqueezeBackward0", "squeeze.dim": "SqueezeBackward1",
                           "squeeze.dims": "SqueezeBackward2"})
_unsqueeze = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="UnsqueezeBackward0",
                view=True, linear=True)


def squeeze(input, *axes, dim=None):
    """Drop size-1 dims (all of them, or those in `dim` that have size 1); `x.squeeze(0, 1)` as `dim=(0, 1)`."""
    if axes:
        if dim is not None:
            raise TypeError("squeeze() got multiple values for argument 'dim'")
        dim = axes[0] if len(axes) == 1 else axes
    shape = input._data.shape
    if dim is None:
        return _squeeze["squeeze"](input, shape=tuple(s for s in shape if s != 1))
    if isinstance(dim, (tuple, list)):
        ds = {_wrap_dim(d, len(shape)) for d in int_tuple_arg("squeeze", "dim", (dim,))}
        return _squeeze["squeeze.dims"](input, shape=tuple(s for i, s in enumerate(shape) if not (i in ds and s == 1)))
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"squeeze() received an invalid combination of arguments - got ({type_name(dim)}), but "
                        f"expected one of:")
    d = _wrap_dim(dim, len(shape))
    if not shape:
        return _squeeze["squeeze.dim"](input, shape=())
    return _squeeze["squeeze.dim"](input, shape=tuple(s for i, s in enumerate(shape) if not (i == d and s == 1)))


def unsqueeze(input, dim):
    """Insert a size-1 dim at `dim` (in [-ndim-1, ndim])."""
    shape = input._data.shape
    d = _wrap_dim(_dim_arg("unsqueeze", "dim", 1, dim), len(shape) + 1)
    return _unsqueeze(input, shape=shape[:d] + (1,) + shape[d:])


# -- expand and repeat -------------------------------------------------------------------------
def _expand_forward(xp, x, *, shape):
    b = xp.broadcast_to(x, shape)
    if b.__class__ is not np.ndarray or (b.size and 0 in [s for s, n in zip(b.strides, b.shape) if n > 1]):
        return b  # elements share memory: read-only, so writes are refused as in PyTorch
    # No two elements share memory: writable, as PyTorch's expand then is.
    return np.lib.stride_tricks.as_strided(x, b.shape, b.strides)


_expand = op(_expand_forward, vjp=lambda xp, g, x_shape: xp.sum_to_size(g, x_shape), node="ExpandBackward0",
             view=True, linear=True)


def expand(input, *sizes, size=None, implicit=False):
    """A view repeating size-1 dims (and adding leading ones) to `sizes`; -1 keeps a dim."""
    return _expand(input, shape=expanded_shape(input, _shape_arg(sizes, "expand", "size", size)))


def expanded_shape(input, sizes):
    """The shape `input.expand(*sizes)` has; PyTorch's RuntimeError when it cannot expand so."""
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({_legacy_type(input)}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = [0] * len(sizes)
    for i in reversed(range(len(sizes))):  # from the last dim, as PyTorch checks (its errors name the last)
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            target[i] = s
            continue
        have = shape[i - lead]
        if s == -1:
            s = have
        if have != s and (have != 1 or s < 0):
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
        target[i] = s
    return tuple(target)


def _legacy_type(t):
    """PyTorch's legacy type name of t, as its messages print it: torch.FloatTensor."""
    return "torch." + _dt.legacy_type_name(t.dtype)


def expand_as(input, other):
    return expand(input, _tensor_arg("expand_as", other, "other", 1)._data.shape)


def broadcast_to(input, *sizes, size=None):
    return expand(input, *sizes, size=size)


def broadcast_tensors(*tensors):
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type_name(t)}")
    shape = broadcast_shape(*(t._data.shape for t in tensors))
    # As in PyTorch, a tensor that already has the shape is returned itself, not an expanded view.
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    """The shape that tensors of these shapes broadcast to (an int is a 1-d shape); PyTorch's errors."""
    shapes = [(s,) if isinstance(s, (builtins.int, np.integer)) else s for s in shapes]
    for s in shapes:
        if not hasattr(s, "__len__"):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {s}")
    common = [1] * builtins.max((len(s) for s in shapes), default=0)
    for k, s in enumerate(shapes):
        for i in range(-1, -len(s) - 1, -1):
            if s[i] == common[i] or s[i] == 1:
                continue
            if common[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[i]} at {i}! Mismatching "
                                   f"argument at index {k} had {s}; but expected shape should be broadcastable "
                                   f"to {common}")
            if s[i] < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            common[i] = s[i]
    return Size(common)


def _untile(xp, g, x_shape, reps):
    # out has shape reps * x_shape (x padded with leading 1s): fold each dim into
    # (rep, size) and sum over the rep axes. As PyTorch's: zeros for a zero repeat, g itself for none.
    if 0 in reps:
        return xp.zeros(tuple(x_shape), g.dtype)
    if len(reps) == len(x_shape) and all(r == 1 for r in reps):
        return g
    shape = (1,) * (len(reps) - len(x_shape)) + tuple(x_shape)
    folded = []
    for r, s in zip(reps, shape):
        folded += [r, s]
    summed = xp.sum(xp.reshape(g, folded), axis=tuple(range(0, len(folded), 2)))
    return xp.reshape(summed, x_shape)


_repeat = op(lambda xp, x, *, reps: xp.tile(x, reps), vjp=_untile, node="RepeatBackward0", linear=True)


def repeat(input, *sizes, repeats=None):
    """Tile the tensor: `repeat(2, 3)` repeats dim 0 twice and dim 1 three times."""
    reps = _shape_arg(sizes, "repeat", "repeats", repeats)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    shape = nonnegative_shape([r * n for r, n in zip(reps, (1,) * (len(reps) - input._data.ndim) +
                                                     input._data.shape)])
    if math.prod(shape) * input._data.itemsize >= 2 ** 63:  # (NumPy's tile would fail on a part of it)
        raise allocation_error(shape, input._data.dtype)
    return _repeat(input, reps=reps)


def tile(input, *sizes, dims=None):
    """Repeat the tensor `dims` times along each dim (leading 1s added to the shorter of dims and the shape)."""
    reps = _shape_arg(sizes, "tile", "dims", dims)
    return repeat(input, (1,) * (input._data.ndim - len(reps)) + reps)


def _repeat_counts(repeats):
    """The array of a repeats tensor: PyTorch's errors for one that is not of integers or holds a negative."""
    r = repeats._data
    if r.dtype.kind not in "iu":
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{repeats.dtype.type_name}'")
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return r


def _unrepeat(xp, g, x_shape, repeats, dim):
    # out holds each slice of x `repeats` times in a row along dim: fold into (n, repeats) and sum.
    folded = x_shape[:dim] + (x_shape[dim], repeats) + x_shape[dim + 1:]
    return xp.sum(xp.reshape(g, folded), axis=dim + 1)


_repeat_interleave = op(lambda xp, x, *, repeats, dim: xp.repeat(x, repeats, axis=dim), vjp=_unrepeat,
                        node="ViewBackward0", linear=True)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along dim) `repeats` times: an int, or one count per slice."""
    if repeats is None:  # repeat_interleave(repeats): each index i, repeats[i] times
        if dim is not None:
            raise TypeError("repeat_interleave() received an invalid combination of arguments - got (Tensor, "
                            "dim=int), but expected one of:")
        counts = _repeat_counts(input)
        if counts.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return wrap(np.repeat(np.arange(counts.shape[0]), counts))
    if isinstance(repeats, Tensor):
        _repeat_counts(repeats)
    elif not isinstance(repeats, (builtins.int, np.integer)):
        raise TypeError(f"repeat_interleave() received an invalid combination of arguments - got "
                        f"({type_name(repeats)}), but expected one of:")
    if isinstance(repeats, Tensor) and repeats._data.ndim == 0:
        repeats = builtins.int(repeats._data)
    if dim is not None and not input._data.ndim:  # (PyTorch's messages for a 0-d input along a dim)
        if isinstance(repeats, Tensor):
            _wrap_dim(dim, 0, scalar_ok=False)
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    x = flatten(input) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        x = reshape(x, (1,))
    n = x._data.shape[d]
    if isinstance(repeats, (builtins.int, np.integer)):
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        return _repeat_interleave(x, repeats=builtins.int(repeats), dim=d)
    reps = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if reps.ndim != 1 or reps.shape[0] != n:
        raise RuntimeError("repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{reps.shape[0] if reps.ndim else 1} and input.size({d}) = {n}")
    if reps.size and reps.min() < 0:
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(n), reps)
    return _index_select(x, d, wrap(idx))


# -- transposes ------------------------------------------------------------------------------------
def _swap(xp, x, dim0, dim1):
    # (a 0-d tensor has only dim 0 to swap with itself; a view all the same, as PyTorch's: so under create_graph
    # the gradient has a node)
    return xp.swapaxes(x, dim0, dim1) if dim0 != dim1 else x[...]


_transpose = op(lambda xp, x, *, dim0, dim1: _swap(xp, x, dim0, dim1)[...],
                vjp=lambda xp, g, dim0, dim1: _swap(xp, g, dim0, dim1), node="TransposeBackward0", view=True,
                linear=True)
_t = op(lambda xp, x, *, dim0, dim1: _swap(xp, x, dim0, dim1)[...],
        vjp=lambda xp, g, dim0, dim1: _swap(xp, g, dim0, dim1), node="TBackward0", view=True, linear=True)
_alias = op(lambda xp, x: x[...], vjp=lambda xp, g: g, node="AliasBackward0", view=True, linear=True)
_permute = op(lambda xp, x, *, dims: xp.transpose(x, dims),
              vjp=lambda xp, g, dims: xp.transpose(g, tuple(np.argsort(dims))), node="PermuteBackward0", view=True,
              linear=True)


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    n = input._data.ndim
    _dim_arg("transpose", "dim0", 1, dim0)
    _dim_arg("transpose", "dim1", 2, dim1)
    return _transpose(input, dim0=_wrap_dim(dim0, n), dim1=_wrap_dim(dim1, n))


swapdims = transpose


def swapaxes(input, axis0, axis1):
    """transpose, under NumPy's names for the two dims."""
    return transpose(input, axis0, axis1)


def t(input):
    """Transpose a 2-D tensor; 0-D and 1-D tensors come back as they are."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return _t(input, dim0=0, dim1=1 if n == 2 else 0)


def permute(input, *axes, dims=None):
    """Reorder the dims: `dxdy.permute(x, (2, 0, 1))`, `x.permute(2, 0, 1)`, `x.permute(dims=(2, 0, 1))`."""
    n = input._data.ndim
    ds = _shape_arg(axes, "permute", "dims", dims)
    if len(ds) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                           f"len(dims) = {len(ds)}")
    ds = tuple(_wrap_dim(d, n) for d in ds)
    if len(set(ds)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permute(input, dims=ds)


def movedim(input, source, destination):
    """Move dims from `source` to `destination`, keeping the others in order."""
    n = input._data.ndim
    src = [source] if isinstance(source, builtins.int) else list(source)
    dst = [destination] if isinstance(destination, builtins.int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    src = [_wrap_dim(s, n) for s in src]
    dst = [_wrap_dim(d, n) for d in dst]
    for name, given, ds in (("source", source, src), ("destination", destination, dst)):
        if len(set(ds)) != len(ds):
            shown = [given] if isinstance(given, builtins.int) else list(given)
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({shown})")
    if n == 0:
        return _alias(input)
    rest = [i for i in range(n) if i not in src]
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    it = iter(rest)
    order = [o if o is not None else next(it) for o in order]
    return _permute(input, dims=tuple(order))


moveaxis = movedim


def _T(self):
    n = self._data.ndim
    if n != 2 and n != 0:
        warn_once("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                  "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                  "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                  "dimensions of a tensor.")
    return _permute(self, dims=tuple(range(n - 1, -1, -1)))


def _mT(self):
    n = self._data.ndim
    if n < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
                           if n == 1 else "tensor.mT is only supported on matrices or batches of matrices. "
                           "Got 0-D tensor.")
    return _transpose(self, dim0=n - 2, dim1=n - 1)


# -- flip and roll -------------------------------------------------------------------------------
_flip = op(lambda xp, x, *, dims: xp.flip(x, dims).copy(), vjp=lambda xp, g, dims: xp.flip(g, dims),
           node="FlipBackward0", linear=True)


def flip(input, *axes, dims=None):
    """Reverse the order of elements along `dims`: `dxdy.flip(x, (0, 1))`, `x.flip(0, 1)`, `x.flip(dims=(0,))`."""
    n = input._data.ndim
    ds = tuple(_wrap_dim(d, n) for d in _shape_arg(axes, "flip", "dims", dims))
    for d in ds:
        if ds.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return _flip(input, dims=ds if n else ())


def fliplr(input):
    if _tensor_arg("fliplr", input)._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if _tensor_arg("flipud", input)._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


_roll = op(lambda xp, x, *, shifts, dims: xp.roll(x, shifts, dims),
           vjp=lambda xp, g, shifts, dims: xp.roll(g, tuple(-s for s in shifts) if isinstance(shifts, tuple)
                                                   else -shifts, dims),
           node="RollBackward0", linear=True)


def roll(input, shifts, dims=None):
    """Shift elements along `dims` (over the flattened tensor when None), wrapping around."""
    if dims is None:
        if not isinstance(shifts, builtins.int):
            if len(shifts) != 1:
                raise RuntimeError(f"roll: shifts and dims must align. shifts: {len(shifts)}, dims:0")
            shifts = shifts[0]
        return _roll(input, shifts=builtins.int(shifts), dims=None)
    n = input._data.ndim
    if isinstance(dims, builtins.int):
        dims = (dims,)
    if isinstance(shifts, builtins.int):
        shifts = (shifts,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if input._data.size == 0:  # PyTorch rolls nothing, and checks no dims, when there are no elements
        return _roll(input, shifts=0, dims=None)
    return _roll(input, shifts=tuple(shifts), dims=tuple(_wrap_dim(d, n, scalar_ok=False) for d in dims))


# -- joining and splitting ------------------------------------------------------------------------
def _cat_forward(xp, *xs, dim, sizes):
    return xp.concatenate([x for x, n in zip(xs, sizes) if n is not None], axis=dim)


def _split_back(xp, g, dim, sizes):
    # A size of None marks a 1-D empty tensor that cat skipped: its gradient is empty too.
    kept = [n for n in sizes if n is not None]
    pieces = iter(xp.split(g, list(itertools.accumulate(kept))[:-1], axis=dim))
    return tuple(next(pieces) if n is not None else xp.zeros((0,), g.dtype) for n in sizes)


_cat = op(_cat_forward, vjp=_split_back, node="CatBackward0", linear=True)
_stack = op(lambda xp, *xs, dim: xp.stack(xs, axis=dim),
            vjp=lambda xp, g, dim: tuple(xp.moveaxis(g, dim, 0)), node="StackBackward0", linear=True)


def _tensor_list(name, tensors):
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type_name(tensors)}")
    tensors = list(tensors)
    for k, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type_name(t_)}")
    return tensors


def _common(tensors):
    first = tensors[0]._data.dtype
    for x in tensors:
        if x._data.dtype != first:
            break
    else:
        return tensors  # one dtype already (the common case)
    d = tensors[0].dtype
    for x in tensors[1:]:
        d = _dt.promote_types(d, x.dtype)
    return [x if x.dtype is d else x.to(d) for x in tensors]


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim. (1-D empty tensors are skipped, as in PyTorch.)"""
    tensors = _tensor_list("cat", tensors)
    _dim_arg("cat", "dim", 2, dim)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    skipped = [x._data.shape == (0,) for x in tensors]
    if builtins.all(skipped):  # nothing to join: PyTorch checks no dim either
        return write_out(_cat(*_common(tensors), dim=0, sizes=tuple(0 for _ in tensors)), out)
    ref_i = skipped.index(False)
    ref = tensors[ref_i]
    n = ref._data.ndim
    d = _wrap_dim(dim, n)
    for i, x in enumerate(tensors):
        if skipped[i]:
            continue
        if x._data.ndim != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and {x._data.ndim}")
        for k in range(n):
            if k != d and x._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {x._data.shape[k]} for tensor number {i} in "
                                   f"the list.")
    tensors = _common(tensors)
    return write_out(_cat(*tensors, dim=d, sizes=tuple(None if skip else x._data.shape[d]
                                             for x, skip in zip(tensors, skipped))), out)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of one shape along a new dim."""
    tensors = _tensor_list("stack", tensors)
    _dim_arg("stack", "dim", 2, dim)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    d = _wrap_dim(dim, len(shape) + 1)  # the dim is checked first, as in PyTorch
    for i, x in enumerate(tensors):
        if x._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(x._data.shape)} at entry {i}")
    tensors = _common(tensors)
    return write_out(_stack(*tensors, dim=d), out)


def hstack(tensors):
    """Join along dim 1 (dim 0 for 1-D tensors); 0-d tensors count as 1-D."""
    tensors = [atleast_1d(x) for x in _tensor_list("hstack", tensors)]
    return cat(tensors, 0 if tensors and tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Join along dim 0, 0-d and 1-D tensors made rows first."""
    return cat([atleast_2d(x) for x in _tensor_list("vstack", tensors)], 0)


row_stack = vstack


def dstack(tensors):
    """Join along dim 2, each tensor made at least 3-D first."""
    return cat([atleast_3d(x) for x in _tensor_list("dstack", tensors)], 2)


def column_stack(tensors):
    """Join along dim 1, 0-d and 1-D tensors made columns first."""
    return cat([x if x._data.ndim >= 2 else reshape(x, (-1, 1)) for x in _tensor_list("column_stack", tensors)], 1)


def _at_least(x, n):
    if isinstance(x, (tuple, list)):
        return tuple(_at_least(t_, n) for t_ in x)
    d = x._data.ndim
    if d >= n:
        return x
    if d == 0:
        return reshape(x, (1,) * n)
    if n == 2 or d == 2:  # (k,) -> (1, k); (k, m) -> (k, m, 1)
        return unsqueeze(x, 0 if n == 2 else -1)
    return unsqueeze(unsqueeze(x, 0), -1)  # (k,) -> (1, k, 1)


def atleast_1d(*tensors):
    """The tensor, or a view of it with at least one dim (for several tensors, a tuple)."""
    return _at_least(tensors[0] if len(tensors) == 1 else tensors, 1)


def atleast_2d(*tensors):
    return _at_least(tensors[0] if len(tensors) == 1 else tensors, 2)


def atleast_3d(*tensors):
    return _at_least(tensors[0] if len(tensors) == 1 else tensors, 3)


def _pieces(g):
    # A split into one piece is a node of one output: its gradient comes bare, not in a tuple.
    return g if isinstance(g, (tuple, list)) else (g,)


def _join_pieces(xp, g, x_shape, bounds, dim):
    """The pieces' gradients joined along dim, zeros for a piece without one.

    The rules ask for shapes, not for the pieces: PyTorch's split saves no tensor, so a second
    backward through it works.
    """
    gs = _pieces(g)
    dtype = next(gi for gi in gs if gi is not None).dtype
    edges = [0] + [builtins.min(b, x_shape[dim]) for b in bounds] + [x_shape[dim]]
    pieces = [gi if gi is not None else xp.zeros(x_shape[:dim] + (b - a,) + x_shape[dim + 1:], dtype)
              for gi, a, b in zip(gs, edges, edges[1:])]
    return xp.concatenate(pieces, axis=dim)


_split = op(lambda xp, x, *, bounds, dim: tuple(xp.split(x, bounds, axis=dim)),
            vjp=lambda xp, g, x_shape, bounds, dim: _join_pieces(xp, g, x_shape, bounds, dim), node="SplitBackward0",
            n_outputs=None, view=True, linear=True)
_split_sizes = op(lambda xp, x, *, bounds, dim: tuple(xp.split(x, bounds, axis=dim)),
                  vjp=lambda xp, g, x_shape, bounds, dim: _join_pieces(xp, g, x_shape, bounds, dim),
                  node="SplitWithSizesBackward0", n_outputs=None, view=True, linear=True)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size` along dim (the last may be smaller), or of the given section sizes."""
    n = tensor._data.ndim
    if not n:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, n)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (builtins.int, np.integer)):
        step = builtins.int(split_size_or_sections)
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        bounds = list(range(step, size, step)) if step else []
        return _split(tensor, bounds=bounds, dim=d)
    sections = list(split_size_or_sections)
    if builtins.sum(sections) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                           f"dimension {d}), but got split_sizes={sections}")
    return _split_sizes(tensor, bounds=np.cumsum(sections)[:-1].tolist(), dim=d)


def split_method(self, split_size, dim=0):
    """Tensor.split: split, under the method's name for the sizes."""
    return split(self, split_size, dim)


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Views along dim: `k` nearly equal pieces (the first n % k one longer), or pieces cut at the indices.

    By keyword, PyTorch names the second argument after what it holds: `sections=k`, `indices=[...]` or
    `tensor_indices_or_sections=t`.
    """
    if indices_or_sections is None:
        given = [v for v in (sections, indices, tensor_indices_or_sections) if v is not None]
        if len(given) != 1:
            raise TypeError("tensor_split() received an invalid combination of arguments")
        indices_or_sections = given[0]
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec._data.tolist()
    if isinstance(spec, (builtins.int, np.integer)):
        k = builtins.int(spec)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        edges = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    else:
        edges = [0] + [builtins.int(i) for i in spec] + [n]
    pieces = []
    for a, b in zip(edges, edges[1:]):
        a = builtins.min(builtins.max(a + n if a < 0 else a, 0), n)
        b = builtins.min(builtins.max(b + n if b < 0 else b, 0), n)
        pieces.append(_slice(input, key=(slice(None),) * d + (slice(a, builtins.max(a, b)),)))
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """About `chunks` equal pieces along dim (fewer when the size does not divide), as PyTorch."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    if not input._data.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:
        return split(input, [0] * chunks, d)
    return split(input, -(-size // chunks), d)


def _stack_slices(xp, g, x_shape, dim):
    """The slices' gradients stacked along dim, zeros for a slice without one (PyTorch's unbind saves no tensor)."""
    gs = _pieces(g)
    dtype = next(gi for gi in gs if gi is not None).dtype
    shape = x_shape[:dim] + x_shape[dim + 1:]
    return xp.stack([gi if gi is not None else xp.zeros(shape, dtype) for gi in gs], axis=dim)


_unbind = op(lambda xp, x, *, dim: tuple(xp.moveaxis(x, dim, 0)),
             vjp=lambda xp, g, x_shape, dim: _stack_slices(xp, g, x_shape, dim),
             node="UnbindBackward0", n_outputs=None, view=True, linear=True)


def unbind(input, dim=0):
    """The slices along `dim`, as a tuple of views."""
    return _unbind(input, dim=_wrap_dim(dim, input._data.ndim, scalar_ok=False))


def _embed(xp, g, x_shape, key):
    return xp.index_add_zeros(x_shape, g.dtype, key, g)


_slice = op(lambda xp, x, *, key: x[key], vjp=_embed, node="SliceBackward0", view=True, linear=True)
_select = op(lambda xp, x, *, key: x[key], vjp=_embed, node="SelectBackward0", view=True, linear=True)


def narrow(input, dim, start, length):
    """The `length` elements from `start` along `dim` (a view)."""
    n = input._data.ndim
    if not n:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    start = builtins.int(start)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return _slice(input, key=key)


def select(input, dim, index):
    """The slice at `index` along `dim`, with that dim removed (a view)."""
    n = input._data.ndim
    if not n:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    i = builtins.int(index)
    if not -size <= i < size:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(input._data.shape)} at "
                         f"dimension {d}")
    key = (slice(None),) * d + (i if i >= 0 else i + size, Ellipsis)
    return _select(input, key=key)


# -- grids, products, rotations ----------------------------------------------------------------------
def _grid_inputs(name, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): expected Tensor as element of the arguments, but got {type_name(t)}")
    return tuple(tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: output i varies along dim i ('ij') or swaps the first two ('xy')."""
    tensors = _grid_inputs("meshgrid", tensors)
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        warn_once("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.")
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    for t in tensors[1:]:
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    order = list(tensors)
    swap = indexing == "xy" and len(order) >= 2
    if swap:
        order[0], order[1] = order[1], order[0]
    sizes = tuple(t._data.size for t in order)
    n = len(order)
    grids = [t.reshape(tuple(-1 if k == i else 1 for k in range(n))).expand(sizes) for i, t in enumerate(order)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of one element of each 1-D tensor, one per row (itertools.product's order)."""
    tensors = _grid_inputs("cartesian_prod", tensors)
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.flatten() for g in meshgrid(*tensors, indexing="ij")], 1)


def _interleaved(a_shape, b_shape):
    return tuple(v for pair in zip(a_shape, b_shape) for v in pair)


def _kron_shapes(x_shape, y_shape):
    n = builtins.max(len(x_shape), len(y_shape))
    a = (1,) * (n - len(x_shape)) + tuple(x_shape)
    b = (1,) * (n - len(y_shape)) + tuple(y_shape)
    return a, b, n


def _kron_forward(xp, x, y):
    a, b, n = _kron_shapes(x.shape, y.shape)
    xa = xp.reshape(x, _interleaved(a, (1,) * n))
    yb = xp.reshape(y, _interleaved((1,) * n, b))
    return xp.reshape(xa * yb, tuple(p * q for p, q in zip(a, b)))


def _kron_grad(xp, g, x, y, which):
    a, b, n = _kron_shapes(x.shape, y.shape)
    gr = xp.reshape(g, _interleaved(a, b))
    if which == 0:
        other = xp.reshape(y, _interleaved((1,) * n, b))
        return xp.reshape(xp.sum(gr * other, axis=tuple(range(1, 2 * n, 2))), x.shape)
    other = xp.reshape(x, _interleaved(a, (1,) * n))
    return xp.reshape(xp.sum(gr * other, axis=tuple(range(0, 2 * n, 2))), y.shape)


_kron = op(_kron_forward, vjp=(lambda xp, g, x, y: _kron_grad(xp, g, x, y, 0),
                               lambda xp, g, x, y: _kron_grad(xp, g, x, y, 1)), node="UnsafeViewBackward0")


def kron(input, other, *, out=None):
    """The Kronecker product: blocks input[i, j] * other, laid out as input is."""
    for name, position, t in (("input", 1, input), ("other", 2, other)):
        _tensor_arg("kron", t, name, position)
    x, y = as_operands(input, other)
    return write_out(_kron(x, y), out)


def _rot(xp, x, k, a, b):
    k %= 4
    if k == 1:
        return xp.swapaxes(xp.flip(x, axis=b), a, b)
    if k == 2:
        return xp.flip(xp.flip(x, axis=a), axis=b)
    if k == 3:
        return xp.flip(xp.swapaxes(x, a, b), axis=b)
    return x[...]  # (a view: the gradient of rot90 by 0 has a node under create_graph, as PyTorch's)


_rot90 = op(lambda xp, x, *, k, a, b: np.array(_rot(xp, x, k, a, b)),
            vjp=lambda xp, g, k, a, b: _rot(xp, g, -k, a, b), node="Rot90Backward0", linear=True)


def rot90(input, k=1, dims=(0, 1)):
    """input rotated by k quarter turns, from the first of dims towards the second."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    a, b = _wrap_dim(dims[0], n), _wrap_dim(dims[1], n)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}")
    return _rot90(input, k=builtins.int(k) % 4, a=a, b=b)


name_ops(globals())

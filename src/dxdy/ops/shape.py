"""Shape ops: reshape and views, transposes, expand/repeat, flip/roll, cat/stack/split.

All are linear: each rule is the transpose of the op. Ops that return views
(reshape when it can, transpose, expand, ...) share the input's version counter.
"""
import builtins
import math

import numpy as np

from ..tensor import Tensor, wrap, _wrap_dim
from ._op import op, name_ops


def _shape_arg(shape):
    """`f(2, 3)` or `f((2, 3))` or `f([2, 3])` as a tuple of ints."""
    if len(shape) == 1 and not isinstance(shape[0], (builtins.int, np.integer, Tensor)):
        shape = tuple(shape[0])
    return tuple(builtins.int(s) for s in shape)


def infer_shape(shape, numel):
    """`shape` with a -1 filled in; RuntimeError as PyTorch when it cannot hold `numel` elements."""
    shape = tuple(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _unreshape(xp, g, x_shape):
    return xp.reshape(g, x_shape)


_reshape = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="ViewBackward0", view=True,
              linear=True)
_reshape_copy = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="UnsafeViewBackward0",
                   linear=True)


def _view_forward(xp, x, *, shape):
    try:
        return xp.reshape(x, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.") from None


_view = op(_view_forward, vjp=_unreshape, node="ViewBackward0", view=True, linear=True)


def reshape(input, *shape):
    """The same elements in a new shape (a view when the memory allows, else a copy); one size may be -1."""
    s = infer_shape(_shape_arg(shape), input._data.size)
    a = input._data
    if np.shares_memory(np.reshape(a, s), a) if a.size else True:
        return _reshape(input, shape=s)
    return _reshape_copy(input, shape=s)


def view(input, *shape):
    """The same memory seen in a new shape; RuntimeError when the strides do not allow it (use reshape)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, builtins.int)) and not hasattr(shape[0], "__len__"):
        from .. import dtypes as _dt
        return input.view_dtype(_dt.to_dtype(shape[0]))
    return _view(input, shape=infer_shape(_shape_arg(shape), input._data.size))


def view_as(input, other):
    return view(input, other._data.shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes 1-d)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def ravel(input):
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    """Split dim `dim` into `sizes` (one may be -1)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = infer_shape(tuple(sizes), shape[d])
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


_squeeze_all = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="SqueezeBackward0", view=True,
                  linear=True)
_squeeze_dim = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="SqueezeBackward1",
                  view=True, linear=True)
_squeeze_dims = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="SqueezeBackward2",
                   view=True, linear=True)
_unsqueeze = op(lambda xp, x, *, shape: xp.reshape(x, shape), vjp=_unreshape, node="UnsqueezeBackward0",
                view=True, linear=True)


def squeeze(input, dim=None):
    """Drop size-1 dims (all of them, or those in `dim` that have size 1)."""
    shape = input._data.shape
    if dim is None:
        return _squeeze_all(input, shape=tuple(s for s in shape if s != 1))
    if isinstance(dim, (tuple, list)):
        ds = {_wrap_dim(d, len(shape)) for d in dim}
        return _squeeze_dims(input, shape=tuple(s for i, s in enumerate(shape) if not (i in ds and s == 1)))
    d = _wrap_dim(dim, len(shape))
    if not shape:
        return _squeeze_dim(input, shape=())
    return _squeeze_dim(input, shape=tuple(s for i, s in enumerate(shape) if not (i == d and s == 1)))


def unsqueeze(input, dim):
    """Insert a size-1 dim at `dim` (in [-ndim-1, ndim])."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape) + 1)
    return _unsqueeze(input, shape=shape[:d] + (1,) + shape[d:])


# -- expand and repeat -------------------------------------------------------------------------
_expand = op(lambda xp, x, *, shape: xp.broadcast_to(x, shape),
             vjp=lambda xp, g, x_shape: xp.sum_to_size(g, x_shape), node="ExpandBackward0", view=True, linear=True)


def expand(input, *sizes):
    """A view repeating size-1 dims (and adding leading ones) to `sizes`; -1 keeps a dim."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            target.append(s)
            continue
        have = shape[i - lead]
        if s == -1:
            s = have
        if have != s and have != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(shape)}")
        target.append(s)
    return _expand(input, shape=tuple(target))


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, tuple(size))


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from ..tensor import Size
    return Size(np.broadcast_shapes(*shapes))


def _untile(xp, g, x_shape, reps):
    # out has shape reps * x_shape (x padded with leading 1s): fold each dim into
    # (rep, size) and sum over the rep axes.
    shape = (1,) * (len(reps) - len(x_shape)) + tuple(x_shape)
    folded = []
    for r, s in zip(reps, shape):
        folded += [r, s]
    summed = xp.sum(xp.reshape(g, folded), axis=tuple(range(0, len(folded), 2)))
    return xp.reshape(summed, x_shape)


_repeat = op(lambda xp, x, *, reps: xp.tile(x, reps), vjp=_untile, node="RepeatBackward0", linear=True)


def repeat(input, *sizes):
    """Tile the tensor: `repeat(2, 3)` repeats dim 0 twice and dim 1 three times."""
    reps = _shape_arg(sizes)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    return _repeat(input, reps=reps)


def tile(input, dims):
    reps = tuple(dims)
    reps = (1,) * (input._data.ndim - len(reps)) + reps
    return _repeat(input, reps=reps)


def repeat_interleave(input, repeats, dim=None):
    from .index import index_select
    x = flatten(input) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    reps = repeats._data if isinstance(repeats, Tensor) else np.full(n, repeats)
    idx = np.repeat(np.arange(n), reps)
    return index_select(x, d, wrap(idx))


# -- transposes ------------------------------------------------------------------------------------
_transpose = op(lambda xp, x, *, dim0, dim1: xp.swapaxes(x, dim0, dim1),
                vjp=lambda xp, g, dim0, dim1: xp.swapaxes(g, dim0, dim1), node="TransposeBackward0", view=True,
                linear=True)
_t = op(lambda xp, x, *, dim0, dim1: xp.swapaxes(x, dim0, dim1),
        vjp=lambda xp, g, dim0, dim1: xp.swapaxes(g, dim0, dim1), node="TBackward0", view=True, linear=True)
_permute = op(lambda xp, x, *, dims: xp.transpose(x, dims),
              vjp=lambda xp, g, dims: xp.transpose(g, tuple(np.argsort(dims))), node="PermuteBackward0", view=True,
              linear=True)


def transpose(input, dim0, dim1):
    """Swap two dims (a view)."""
    n = input._data.ndim
    if n == 0:
        _wrap_dim(dim0, 0), _wrap_dim(dim1, 0)
        return _permute(input, dims=())
    return _transpose(input, dim0=_wrap_dim(dim0, n), dim1=_wrap_dim(dim1, n))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a 2-D tensor; 0-D and 1-D tensors come back as they are."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return _t(input, dim0=0, dim1=0) if n == 1 else _permute(input, dims=())
    return _t(input, dim0=0, dim1=1)


def permute(input, *dims):
    """Reorder the dims: `permute(2, 0, 1)`."""
    n = input._data.ndim
    ds = tuple(_wrap_dim(d, n) for d in _shape_arg(dims))
    if len(ds) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
                           f"len(dims) = {len(ds)}")
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
        import warnings
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                      "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                      "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                      "dimensions of a tensor.", UserWarning, stacklevel=2)
    return _permute(self, dims=tuple(range(n - 1, -1, -1)))


def _mT(self):
    n = self._data.ndim
    if n < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
                           if n == 1 else "tensor.mT is only supported on matrices or batches of matrices. "
                           "Got 0-D tensor.")
    return _transpose(self, dim0=n - 2, dim1=n - 1)


# -- flip and roll -------------------------------------------------------------------------------
_flip = op(lambda xp, x, *, dims: xp.flip(x, dims), vjp=lambda xp, g, dims: xp.flip(g, dims),
           node="FlipBackward0", linear=True)


def flip(input, dims):
    """Reverse the order of elements along `dims`."""
    n = input._data.ndim
    ds = (dims,) if isinstance(dims, builtins.int) else tuple(dims)
    return _flip(input, dims=tuple(_wrap_dim(d, n) for d in ds))


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


_roll = op(lambda xp, x, *, shifts, dims: xp.roll(x, shifts, dims),
           vjp=lambda xp, g, shifts, dims: xp.roll(g, tuple(-s for s in shifts) if isinstance(shifts, tuple)
                                                   else -shifts, dims),
           node="RollBackward0", linear=True)


def roll(input, shifts, dims=None):
    """Shift elements along `dims` (over the flattened tensor when None), wrapping around."""
    if dims is None:
        return reshape(_roll(flatten(input), shifts=shifts if isinstance(shifts, builtins.int) else shifts[0],
                             dims=0), input._data.shape)
    n = input._data.ndim
    if isinstance(dims, builtins.int):
        return _roll(input, shifts=shifts, dims=_wrap_dim(dims, n))
    return _roll(input, shifts=tuple(shifts), dims=tuple(_wrap_dim(d, n) for d in dims))


# -- joining and splitting ------------------------------------------------------------------------
def _split_back(xp, g, sizes, dim):
    bounds = np.cumsum(sizes)[:-1].tolist()
    return tuple(xp.split(g, bounds, axis=dim))


_cat = op(lambda xp, *xs, dim, sizes: xp.concatenate(xs, axis=dim), vjp=_split_back, node="CatBackward0",
          linear=True)
_stack = op(lambda xp, *xs, dim: xp.stack(xs, axis=dim),
            vjp=lambda xp, g, dim: tuple(xp.moveaxis(g, dim, 0)), node="StackBackward0", linear=True)


def _tensor_list(name, tensors):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for t_ in tensors:
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {tensors.index(t_)} in argument 0, but got "
                            f"{type(t_).__name__}")
    return tensors


def _common(tensors):
    from .. import dtypes as _dt
    d = tensors[0].dtype
    for x in tensors[1:]:
        d = _dt.promote_types(d, x.dtype)
    return [x if x.dtype is d else x.to(d) for x in tensors]


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim. (1-D empty tensors are skipped, as in PyTorch.)"""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    tensors = [x for x in tensors if not (x._data.ndim == 1 and x._data.shape[0] == 0)] or tensors[:1]
    ref = tensors[0]
    n = ref._data.ndim
    if n == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, n)
    for i, x in enumerate(tensors):
        if x._data.ndim != n:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {n} and {x._data.ndim}")
        for k in range(n):
            if k != d and x._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {x._data.shape[k]} for tensor number {i} in "
                                   f"the list.")
    tensors = _common(tensors)
    return _cat(*tensors, dim=d, sizes=tuple(x._data.shape[d] for x in tensors))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of one shape along a new dim."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(x._data.shape)} at entry {i}")
    tensors = _common(tensors)
    return _stack(*tensors, dim=_wrap_dim(dim, len(shape) + 1))


def hstack(tensors):
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([x if x._data.ndim >= 2 else reshape(x, (1, -1)) for x in tensors], 0)


def dstack(tensors):
    return cat([atleast_3d(x) for x in tensors], 2)


def column_stack(tensors):
    return cat([x if x._data.ndim >= 2 else reshape(x, (-1, 1)) for x in tensors], 1)


def atleast_1d(x):
    return x if x._data.ndim >= 1 else reshape(x, (1,))


def atleast_2d(x):
    return x if x._data.ndim >= 2 else reshape(x, (1,) * (2 - x._data.ndim) + x._data.shape)


def atleast_3d(x):
    if x._data.ndim >= 3:
        return x
    if x._data.ndim == 2:
        return unsqueeze(x, -1)
    return reshape(x, (1, -1, 1))


def _join_pieces(xp, g, out, dim):
    pieces = [gi if gi is not None else xp.zeros_like(o) for gi, o in zip(g, out)]
    return xp.concatenate(pieces, axis=dim)


_split = op(lambda xp, x, *, bounds, dim: tuple(xp.split(x, bounds, axis=dim)),
            vjp=lambda xp, g, out, dim: _join_pieces(xp, g, out, dim), node="SplitBackward0", n_outputs=None,
            view=True, linear=True)
_split_sizes = op(lambda xp, x, *, bounds, dim: tuple(xp.split(x, bounds, axis=dim)),
                  vjp=lambda xp, g, out, dim: _join_pieces(xp, g, out, dim), node="SplitWithSizesBackward0",
                  n_outputs=None, view=True, linear=True)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size` along dim (the last may be smaller), or of the given section sizes."""
    n = tensor._data.ndim
    d = _wrap_dim(dim, n)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (builtins.int, np.integer)):
        step = builtins.int(split_size_or_sections)
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        bounds = list(range(step, size, step)) if step else []
        return _split(tensor, bounds=bounds, dim=d)
    sections = list(split_size_or_sections)
    if builtins.sum(sections) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                           f"dimension {d}), but got split_sizes={sections}")
    return _split_sizes(tensor, bounds=np.cumsum(sections)[:-1].tolist(), dim=d)


def tensor_split(input, indices_or_sections, dim=0):
    d = _wrap_dim(dim, input._data.ndim)
    if isinstance(indices_or_sections, builtins.int):
        n, k = input._data.shape[d], indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        return split(input, sizes, d)
    bounds = list(indices_or_sections)
    edges = [0] + bounds + [input._data.shape[d]]
    return split(input, [builtins.max(b - a, 0) for a, b in zip(edges, edges[1:])], d)


def chunk(input, chunks, dim=0):
    """About `chunks` equal pieces along dim (fewer when the size does not divide), as PyTorch."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:
        return split(input, [0] * chunks, d)
    return split(input, -(-size // chunks), d)


_unbind = op(lambda xp, x, *, dim: tuple(xp.moveaxis(x, dim, 0)),
             vjp=lambda xp, g, out, dim: xp.stack([gi if gi is not None else xp.zeros_like(o)
                                                   for gi, o in zip(g, out)], axis=dim),
             node="UnbindBackward0", n_outputs=None, view=True, linear=True)


def unbind(input, dim=0):
    """The slices along `dim`, as a tuple of views."""
    return _unbind(input, dim=_wrap_dim(dim, input._data.ndim))


def _embed(xp, g, x_shape, key):
    return xp.index_add_zeros(x_shape, g.dtype, key, g)


_slice = op(lambda xp, x, *, key: x[key], vjp=_embed, node="SliceBackward0", view=True, linear=True)
_select = op(lambda xp, x, *, key: x[key], vjp=_embed, node="SelectBackward0", view=True, linear=True)


def narrow(input, dim, start, length):
    """The `length` elements from `start` along `dim` (a view)."""
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    start = builtins.int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return _slice(input, key=key)


def select(input, dim, index):
    """The slice at `index` along `dim`, with that dim removed (a view)."""
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    i = builtins.int(index)
    if not -size <= i < size:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(input._data.shape)} at "
                         f"dimension {d}")
    key = (slice(None),) * d + (i if i >= 0 else i + size, Ellipsis)
    return _select(input, key=key)


name_ops(globals())

"""The array namespaces the rules are written against (NOTE [Rule signatures]).

`numpy_ns` is NumPy itself plus a few helpers NumPy lacks, and is what a plain
backward pass hands the rules. `tensor_ns` offers the same names over dxdy
tensors, made of differentiable dxdy ops; a backward pass with create_graph=True
hands the rules that one, so the rules record a graph. The vocabulary a rule may
use is therefore exactly what tensor_ns defines (dxdy/ops/_tensor_ns.py).
"""
import math
import operator
import sys
import types

import numpy as np

# Where CPython's reference counts are exact, code can tell an array that only its own call chain holds,
# and reuse its memory. (From 3.14 the interpreter may borrow references: counts only bound them from below.)
REFCOUNTS = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def sum_to_size(a, shape):
    """Sum `a` over the axes that broadcasting added to reach its shape from `shape`."""
    shape = tuple(shape)
    if a.shape == shape:
        return a
    lead = a.ndim - len(shape)
    if shape and a.shape[lead:] == shape:  # only leading axes were added (a bias): one reduction, no reshape
        return np.add.reduce(a, axis=tuple(range(lead)))
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and a.shape[i + lead] != 1)
    s = np.add.reduce(a, axis=axes, keepdims=True) if axes else a
    return s.reshape(shape)


def reduce_axis(ufunc, x, axis, keepdims=False):
    """ufunc.reduce(x, axis=axis) for one int axis (np.add or np.maximum, say).

    NumPy reduces a C-contiguous array along its last axis row by row, at a cost per row: over many
    short rows, such as a batch of class scores, that is several times slower than combining the
    columns with k - 1 element-wise calls, which is what this does for a short last axis of floats.
    (A maximum is the same either way; a sum of float32 or float64 may differ in the last bit.)
    """
    k = x.shape[axis] if x.__class__ is np.ndarray and x.size >= 128 else 0  # (a small x: a plain reduction)
    if 2 <= k <= 16 and (axis == -1 or axis == x.ndim - 1) and x.size >= 64 * k and x.dtype.kind == "f" \
            and x.dtype.itemsize >= 4:
        out = ufunc(x[..., 0], x[..., 1])
        for j in range(2, k):
            ufunc(out, x[..., j], out=out)
        return out[..., None] if keepdims else out
    return ufunc.reduce(x, axis=axis, keepdims=keepdims)


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    if axis.__class__ is int and dtype is None and out is None and not kw:
        return reduce_axis(np.add, a, axis, keepdims)
    return np.add.reduce(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)


def mean(a, axis=None, keepdims=False):
    """np.mean's result, without the warning NumPy's Python code gives for an empty slice: PyTorch's mean of
    nothing is NaN, silently (the 0/0 here happens in dxdy's module, where NumPy's RuntimeWarnings are off)."""
    half = a.dtype == np.float16  # summed in float32, as np.mean does
    total = np.add.reduce(a, axis=axis, dtype=np.float32 if half else None, keepdims=keepdims)
    count = a.size // total.size if total.size else 1
    m = total / count
    return m.astype(np.float16) if half else m


def spread(g, shape):
    """`g` broadcast to `shape` (the gradient of a sum or a mean): a read-only view, or, for a small
    result, a new array, which is cheaper to make (np.broadcast_to is Python code around an nditer)."""
    if (g.__class__ is np.ndarray or isinstance(g, np.generic)) and math.prod(shape) <= 4096:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def astype(a, dtype):
    return a.astype(dtype, copy=False)


def index_add_zeros(shape, dtype, index, g):
    """Zeros of `shape` with `g` added at `index` (a key of __getitem__); repeats accumulate."""
    out = np.zeros(shape, dtype)
    if _is_basic(index):
        out[index] += g
    else:
        np.add.at(out, index, g)
    return out


def _is_basic(index):
    for i in index if isinstance(index, tuple) else (index,):
        if not isinstance(i, (int, slice, type(None), type(Ellipsis))):
            return False
    return True


def index_put_zeros(a, index):
    """A copy of `a` with zeros at `index`."""
    out = np.array(a)
    out[index] = 0
    return out


def positions(index, dim):
    """The NumPy key that reads x at `index` along `dim`, the other dims ranging over index's shape."""
    index = np.asarray(index)
    key = list(sparse_indices(index.shape, skip=dim))
    key[dim] = index
    return tuple(key)


def sparse_indices(shape, skip=None):
    """np.indices(shape, sparse=True), without its Python argument handling: per dim, an arange shaped to
    broadcast along that dim only (None for dim `skip`, which the caller fills)."""
    n = len(shape)
    key = []
    for k, size in enumerate(shape):
        if k == skip:
            key.append(None)
        else:
            key.append(np.arange(size) if n == 1 else np.arange(size).reshape((1,) * k + (size,) + (1,) * (n - k - 1)))
    return tuple(key)


def take_along_axis(a, indices, axis):
    """np.take_along_axis(a, indices, axis) for an int axis, without its Python checks: `a` read at the key
    NumPy builds (an arange per other dim, `indices` along `axis`)."""
    if a.__class__ is np.ndarray and axis.__class__ is int and indices.__class__ is np.ndarray \
            and indices.ndim == a.ndim and -a.ndim <= axis < a.ndim and indices.dtype.kind in "iu":
        key = list(sparse_indices(a.shape))
        key[axis] = indices
        return a[tuple(key)]
    return np.take_along_axis(a, indices, axis)


def split(a, indices_or_sections, axis=0):
    """np.split(a, indices_or_sections, axis), without its Python overhead for an array and a list of split
    points: the slices of `a` between them along `axis` (the views np.array_split makes)."""
    if a.__class__ is np.ndarray and indices_or_sections.__class__ is list and axis.__class__ is int \
            and -a.ndim <= axis < a.ndim:
        before = (slice(None),) * (axis if axis >= 0 else axis + a.ndim)
        bounds = [0] + indices_or_sections + [a.shape[axis]]
        return [a[before + (slice(bounds[i], bounds[i + 1]),)] for i in range(len(bounds) - 1)]
    return np.split(a, indices_or_sections, axis)


SMALL = 64  # elements: an integer array this small is cheaper to read as a list than to reduce


def int_range(a):
    """(smallest, largest) element of a non-empty integer array, as Python ints.

    A NumPy reduction costs about a microsecond however few the elements; a small array is read as a
    list instead (an index, a batch of class labels).
    """
    if a.size <= SMALL:
        values = a.ravel().tolist()
        return min(values), max(values)
    return int(np.minimum.reduce(a, axis=None)), int(np.maximum.reduce(a, axis=None))


def expand_dims(a, axis):
    """np.expand_dims(a, axis), without its Python argument handling for an array and one int axis."""
    if axis.__class__ is tuple and len(axis) == 1:
        axis = axis[0]
    if a.__class__ is np.ndarray and axis.__class__ is int and -a.ndim - 1 <= axis <= a.ndim:
        shape = a.shape
        k = axis if axis >= 0 else axis + a.ndim + 1
        return a.reshape(shape[:k] + (1,) + shape[k:])
    return np.expand_dims(a, axis)


def diagonal_embed_zeros(g, shape, offset, dim1, dim2):
    """Zeros of `shape` with `g` on the diagonal at `offset` of dims dim1, dim2 (the transpose of diagonal)."""
    out = np.zeros(shape, g.dtype)
    view = np.moveaxis(out, (dim1, dim2), (-2, -1))
    n = g.shape[-1]
    rows = np.arange(n) + max(-offset, 0)
    view[..., rows, rows + offset] = g
    return out


def einsum_embed(g, unique, subs, shape):
    """Zeros of `shape` with `g` (indexed by `unique`) written where the repeated indices of `subs` agree."""
    out = np.zeros(shape, g.dtype)
    sizes = dict(zip(subs, shape))
    grids = np.ix_(*[np.arange(sizes[c]) for c in unique])
    key = tuple(grids[unique.index(c)] for c in subs)
    out[key] = g
    return out


def adjugate(a):
    """adj(A) = det(A) inv(A), through the SVD so that singular matrices are fine too."""
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1) if n else s
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * np.matmul(np.swapaxes(vt, -1, -2) * others[..., None, :], np.swapaxes(u, -1, -2))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sign(x):
    # 0 for NaN, as PyTorch's sign and tensor_ns.sign (NumPy's gives NaN).
    s = np.sign(x)
    return np.where(s == s, s, 0) if s.dtype.kind == "f" else s


_erf_exact = np.frompyfunc(math.erf, 1, 1)
_erfc_exact = np.frompyfunc(math.erfc, 1, 1)


def erf(x):
    # NumPy has no erf. SciPy's is used when the program already imported it;
    # otherwise math.erf element by element (exact, and slower on large arrays).
    special = sys.modules.get("scipy.special")
    if special is not None:
        return special.erf(x)
    return np.asarray(_erf_exact(x), x.dtype)  # (a 0-d x gives a Python float)


def erfc(x):
    special = sys.modules.get("scipy.special")
    if special is not None:
        return special.erfc(x)
    return np.asarray(_erfc_exact(x), x.dtype)


_BITS = {2: np.int16, 4: np.int32, 8: np.int64}


def where_or_zero(mask, g, last_use=False):
    """g where `mask` holds, else +0: np.where(mask, g, 0), never g * mask (0 * inf is NaN).

    PyTorch's rules mask gradients so (relu, maximum, ...: NOTE [Masked gradients] in elementwise.py). On a
    big array a random mask makes np.where slow (a mispredicted branch per element), so the mask is applied
    to the bits instead, with no branch: g's bits times 1 are g, times 0 are +0 (integer arithmetic: no NaN
    from inf * 0), in one pass.

    last_use: the calling rule does not read g again. Then, if only the backward pass holds g (the
    engine's variable, _run_node's, the rule's and this parameter, getrefcount's argument: five
    references; a hook, anomaly mode or a second buffer holding g adds one), the result goes into g's
    memory rather than a new array, as PyTorch's in-place `dh *= mask` would.
    """
    if g.__class__ is np.ndarray and g.size > 4096 and g.dtype.kind == "f" and g.dtype.itemsize in _BITS \
            and np.shape(mask) == g.shape and g.dtype.isnative:
        reuse = last_use and REFCOUNTS and sys.getrefcount(g) <= 5 and g.base is None and g.flags.writeable
        bits = g.view(_BITS[g.dtype.itemsize])
        return np.multiply(bits, np.asarray(mask, bool), dtype=bits.dtype, out=bits if reuse else None).view(g.dtype)
    return np.where(mask, g, 0)


# NOTE [Fused backward kernels]
# Many of PyTorch's formulas hand the gradient to one backward kernel that takes the forward's input or result
# too: relu's is threshold_backward(grad, result, 0), max_pool2d's max_pool2d_with_indices_backward(grad, self,
# ...), conv2d's convolution_backward(grad, input, weight, ...). Under create_graph such a kernel is an op of
# its own (ThresholdBackwardBackward0, ...) with an edge to each of those tensors, so the gradient requires grad
# when any of them does, even where it depends on them only through a mask. Other formulas are compositions
# (maximum's is a `where` on a mask of self and other): their gradient requires grad only through the ops they
# use. A rule whose PyTorch formula is such a kernel says so: xp.fused(kernel, value, *inputs), which is
# `value` in a plain backward pass. Its derivative in the inputs is zeros (zeros=True: a second autograd.grad
# gives zeros, not None), as PyTorch's for the masking kernels (threshold_backward's `self: zeros_like(grad)`);
# the normalization and convolution kernels have derivatives of their own, which the rule's value already is
# made of (zeros=False: the edges only; None where the value does not depend on an input, as in PyTorch).
def fused(kernel, value, *inputs, zeros=True):
    """`value`, which PyTorch computes with its backward kernel `kernel` from the gradient and `inputs`."""
    return value


# vars(np), not getattr over np.__all__: the latter would import NumPy's lazy submodules
# (testing, f2py, ...), which triples the import time of dxdy.
numpy_ns = types.SimpleNamespace(**{k: v for k, v in vars(np).items() if not k.startswith("_")})
numpy_ns.__name__ = "numpy"
numpy_ns.sum_to_size = sum_to_size
numpy_ns.spread = spread
numpy_ns.astype = astype
numpy_ns.index_add_zeros = index_add_zeros
numpy_ns.index_put_zeros = index_put_zeros
numpy_ns.diagonal_embed_zeros = diagonal_embed_zeros
numpy_ns.einsum_embed = einsum_embed
numpy_ns.diagflat_offset = lambda x, offset: np.diag(x, offset)
numpy_ns.linalg_solve = np.linalg.solve
numpy_ns.adjugate = adjugate
numpy_ns.sigmoid = sigmoid
numpy_ns.sign = sign
numpy_ns.erf = erf
numpy_ns.erfc = erfc
numpy_ns.where_or_zero = where_or_zero
numpy_ns.fused = fused
# np.sum, np.max and np.min are Python wrappers around these ufunc reductions; with axis=None by default
# (a ufunc's reduce defaults to axis 0) they give the same results, for one Python call less in every rule
# (and a sum along a short last axis goes through reduce_axis).
numpy_ns.sum = _sum
numpy_ns.mean = mean
numpy_ns.reduce_axis = reduce_axis
numpy_ns.max = numpy_ns.amax = lambda a, axis=None, out=None, keepdims=False, **kw: \
    np.maximum.reduce(a, axis=axis, out=out, keepdims=keepdims, **kw)
numpy_ns.min = numpy_ns.amin = lambda a, axis=None, out=None, keepdims=False, **kw: \
    np.minimum.reduce(a, axis=axis, out=out, keepdims=keepdims, **kw)
# np.argmax and np.argmin are Python wrappers around the methods.
numpy_ns.argmax = lambda a, axis=None, out=None, *, keepdims=False: a.argmax(axis, out, keepdims=keepdims)
numpy_ns.argmin = lambda a, axis=None, out=None, *, keepdims=False: a.argmin(axis, out, keepdims=keepdims)
numpy_ns.expand_dims = expand_dims
numpy_ns.take_along_axis = take_along_axis
numpy_ns.split = split
# np.reshape, np.transpose, np.swapaxes and np.squeeze are Python wrappers that call the array's method.
numpy_ns.reshape = lambda a, shape=None, order="C", **kw: \
    a.reshape(shape, order=order) if a.__class__ is np.ndarray and shape is not None and not kw \
    else np.reshape(a, shape, order=order, **kw)
numpy_ns.transpose = lambda a, axes=None: a.transpose(axes) if a.__class__ is np.ndarray else np.transpose(a, axes)
numpy_ns.swapaxes = lambda a, axis1, axis2: \
    a.swapaxes(axis1, axis2) if a.__class__ is np.ndarray else np.swapaxes(a, axis1, axis2)
numpy_ns.squeeze = lambda a, axis=None: a.squeeze(axis) if a.__class__ is np.ndarray else np.squeeze(a, axis)
numpy_ns.matrix_transpose = operator.attrgetter("mT")  # np.matrix_transpose is a Python wrapper around .mT

tensor_ns = types.SimpleNamespace()  # filled by dxdy/ops/_tensor_ns.py once the ops exist

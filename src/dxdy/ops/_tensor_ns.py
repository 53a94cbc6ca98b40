"""tensor_ns: the rules' vocabulary over dxdy tensors, for backward with create_graph=True.

Every name here mirrors the NumPy function of the same name in numpy_ns (same
arguments, same meaning) but is made of differentiable dxdy ops, so a rule run
with this namespace records a graph. A rule may use only these names.
"""
import math

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, wrap
from . import elementwise as E, reduce as R, shape as S, index as I, linalg as L, convert as C
from ._op import op
from ._xp import tensor_ns as ns


def _axes(axis, ndim):
    if axis is None:
        return None
    return (axis,) if isinstance(axis, int) else tuple(axis)


def asarray(a, dtype=None):
    if isinstance(a, Tensor):
        return a if dtype is None else C.to(a, _dt.to_dtype(dtype))  # (rules pass NumPy dtypes)
    return wrap(np.asarray(a, None if dtype is None else _dt.to_dtype(dtype).np))


def astype(x, dtype):
    return C.to(x, _dt.to_dtype(dtype))


def where(condition, x, y):
    if not isinstance(condition, Tensor):
        condition = wrap(np.asarray(condition))
    return E.where(condition, x, y)


def expand_dims(x, axis):
    for a in sorted(_axes(axis, None)):
        x = S.unsqueeze(x, a)
    return x


def squeeze(x, axis=None):
    return S.squeeze(x, axis)


def split(x, bounds, axis=0):
    edges = [0] + list(bounds) + [x.shape[axis]]
    return S.split(x, [b - a for a, b in zip(edges, edges[1:])], axis)


def zeros(shape, dtype=None):
    return wrap(np.zeros(shape, _dt.to_dtype(dtype).np if dtype is not None else None))


def index_add_zeros(shape, dtype, key, g):
    return I._index_add_zeros(g, shape=tuple(shape), key=key)


def adjugate(x):
    # det(A) inv(A) where every matrix is invertible; else the cofactors, which are polynomials in A and so
    # differentiable at singular A too (n^2 determinants of minors: fine for the small matrices this meets).
    n = x.shape[-1]
    if n == 1:
        return wrap(np.ones(x._data.shape, x._data.dtype))  # adj of a 1x1 matrix is [[1]], whatever A is
    if (np.linalg.matrix_rank(np.asarray(x._data)) == n).all():
        return S.unsqueeze(S.unsqueeze(L.det(x), -1), -1) * L.inv(x)
    others = [[k for k in range(n) if k != i] for i in range(n)]
    cofactors = [S.stack([(-1) ** (i + j) * L.det(x[..., others[i], :][..., others[j]]) for j in range(n)], -1)
                 for i in range(n)]
    return S.transpose(S.stack(cofactors, -2), -1, -2)


# NOTE [Fused backward kernels] (ops/_xp.py): the kernel's result as a node with an edge to `value` and to each
# input tensor. Its derivative passes on to `value`'s own graph, which holds the value's dependence on the inputs
# (the rule computed it from them); through the other edges it is zeros or nothing. The node has PyTorch's
# name: threshold_backward -> ThresholdBackwardBackward0.
_fused_ops = {}


def fused(kernel, value, *inputs, zeros=True):
    call = _fused_ops.get((kernel, zeros))
    if call is None:
        name = "".join(w.capitalize() for w in kernel.split("_")).replace("2d", "2D") + "Backward0"
        call = _fused_ops[kernel, zeros] = op(lambda xp, *xs: xs[0], vjp=_zeros_vjp if zeros else _edges_vjp,
                                              node=name)
    return call(value, *[x for x in inputs if isinstance(x, Tensor)])


def _zeros_vjp(xp, g, xs):
    return (g,) + tuple(xp.zeros_like(x) for x in xs[1:])


def _edges_vjp(xp, g, xs):
    return (g,) + (None,) * (len(xs) - 1)


ns.__name__ = "dxdy.ops.tensor_ns"
ns.pi = math.pi
ns.asarray = asarray
ns.astype = astype
ns.where = where
ns.keep_where = lambda keep, g, last_use=False: where(keep, g, 0)
ns.fused = fused
ns.sum = lambda x, axis=None, keepdims=False: R.sum(x, _axes(axis, x.ndim), keepdims)
ns.mean = lambda x, axis=None, keepdims=False: R.mean(x, _axes(axis, x.ndim), keepdims)
ns.any = lambda x: R.any(x)
ns.expand_dims = expand_dims
ns.squeeze = squeeze
ns.reshape = lambda x, shape: S.reshape(x, tuple(shape))
ns.broadcast_to = lambda x, shape: S.expand(x, tuple(shape))
ns.sum_to_size = lambda x, shape: C.sum_to_size(x, tuple(shape)) if len(shape) else R.sum(x)  # (PyTorch's sum_to)
ns.spread = ns.broadcast_to
ns.matrix_transpose = lambda x: S.transpose(x, -2, -1)
ns.swapaxes = S.transpose
ns.transpose = lambda x, axes: S.permute(x, tuple(axes))
ns.moveaxis = S.movedim
ns.flip = lambda x, axis: S.flip(x, (axis,) if isinstance(axis, int) else tuple(axis))
ns.roll = lambda x, shift, axis=None: S.roll(x, shift, axis)
ns.concatenate = lambda xs, axis=0: S.cat(list(xs), axis)
ns.stack = lambda xs, axis=0: S.stack(list(xs), axis)
ns.split = split
ns.take = lambda x, indices, axis: I.index_select(x, axis, wrap(np.asarray(indices, np.int64)))
ns.cumsum = lambda x, axis: R.cumsum(x, axis)
ns.cumprod = lambda x, axis: R.cumprod(x, axis)
ns.matmul = L.matmul
ns.einsum = L.einsum
ns.diagonal = lambda x, offset=0, axis1=0, axis2=1: L.diagonal(x, offset, axis1, axis2)
ns.tril = lambda x, k=0: L.tril(x, k)
ns.triu = lambda x, k=0: L.triu(x, k)
ns.eye = lambda n, m=None, dtype=None: wrap(np.eye(n, m, dtype=_dt.to_dtype(dtype).np if dtype else None))
ns.linalg_solve = L.solve
ns.adjugate = adjugate
ns.zeros = zeros
ns.zeros_like = lambda x: wrap(np.zeros(x.shape, x._data.dtype))
ns.ones_like = lambda x: wrap(np.ones(x.shape, x._data.dtype))
ns.index_add_zeros = index_add_zeros
ns.index_put_zeros = lambda g, key: I._index_put_zeros(g, key=key)
ns.diagonal_embed_zeros = lambda g, shape, offset, d1, d2: L._diagonal_embed(g, shape=tuple(shape), offset=offset,
                                                                             dim1=d1, dim2=d2)
ns.einsum_embed = lambda g, unique, subs, shape: L._einsum_embed(g, unique=unique, subs=subs, shape=tuple(shape))
for _name in ("exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign", "floor",
              "ceil", "trunc", "sigmoid", "erf", "erfc", "isfinite", "square", "reciprocal"):
    setattr(ns, _name, getattr(E, _name))
ns.maximum, ns.minimum = E._maximum, E._minimum  # which take a Python number too
ns.arctan = E.atan

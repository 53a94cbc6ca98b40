"""tensor_ns: the rules' vocabulary over dxdy tensors, for backward with create_graph=True.

Every name here mirrors the NumPy function of the same name in numpy_ns (same
arguments, same meaning) but is made of differentiable dxdy ops, so a rule run
with this namespace records a graph. A rule may use only these names.
"""
import math

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, wrap
from . import elementwise as elementwise_ops, reduce as reduce_ops, shape as shape_ops, index as index_ops
from . import linalg as linalg_ops, convert as convert_ops
from ._op import op
from ._xp import tensor_ns


def _axes(axis, ndim):
    if axis is None:
        return None
    return (axis,) if isinstance(axis, int) else tuple(axis)


def asarray(a, dtype=None):
    if isinstance(a, Tensor):
        return a if dtype is None else convert_ops.to(a, _dt.to_dtype(dtype))  # (rules pass NumPy dtypes)
    return wrap(np.asarray(a, None if dtype is None else _dt.to_dtype(dtype).np))


def astype(x, dtype):
    return convert_ops.to(x, _dt.to_dtype(dtype))


def where(condition, x, y):
    if not isinstance(condition, Tensor):
        condition = wrap(np.asarray(condition))
    return elementwise_ops.where(condition, x, y)


def expand_dims(x, axis):
    for a in sorted(_axes(axis, None)):
        x = shape_ops.unsqueeze(x, a)
    return x


def squeeze(x, axis=None):
    return shape_ops.squeeze(x, axis)


def split(x, bounds, axis=0):
    edges = [0] + list(bounds) + [x.shape[axis]]
    return shape_ops.split(x, [b - a for a, b in zip(edges, edges[1:])], axis)


def zeros(shape, dtype=None):
    return wrap(np.zeros(shape, _dt.to_dtype(dtype).np if dtype is not None else None))


def index_add_zeros(shape, dtype, key, g):
    return index_ops._index_add_zeros(g, shape=tuple(shape), key=key)


def adjugate(x):
    # det(A) inv(A) where every matrix is invertible; else the cofactors, which are polynomials in A and so
    # differentiable at singular A too (n^2 determinants of minors: fine for the small matrices this meets).
    n = x.shape[-1]
    if n == 1:
        return wrap(np.ones(x._data.shape, x._data.dtype))  # adj of a 1x1 matrix is [[1]], whatever A is
    if (np.linalg.matrix_rank(np.asarray(x._data)) == n).all():
        return shape_ops.unsqueeze(shape_ops.unsqueeze(linalg_ops.det(x), -1), -1) * linalg_ops.inv(x)
    others = [[k for k in range(n) if k != i] for i in range(n)]
    cofactors = [shape_ops.stack([(-1) ** (i + j) * linalg_ops.det(x[..., others[i], :][..., others[j]])
                                  for j in range(n)], -1)
                 for i in range(n)]
    return shape_ops.transpose(shape_ops.stack(cofactors, -2), -1, -2)


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


tensor_ns.__name__ = "dxdy.ops.tensor_ns"
tensor_ns.pi = math.pi
tensor_ns.asarray = asarray
tensor_ns.astype = astype
tensor_ns.where = where
tensor_ns.where_or_zero = lambda mask, g, last_use=False: where(mask, g, 0)
tensor_ns.fused = fused
tensor_ns.sum = lambda x, axis=None, keepdims=False: reduce_ops.sum(x, _axes(axis, x.ndim), keepdims)
tensor_ns.mean = lambda x, axis=None, keepdims=False: reduce_ops.mean(x, _axes(axis, x.ndim), keepdims)
tensor_ns.any = lambda x: reduce_ops.any(x)
tensor_ns.expand_dims = expand_dims
tensor_ns.squeeze = squeeze
tensor_ns.reshape = lambda x, shape: shape_ops.reshape(x, tuple(shape))
tensor_ns.broadcast_to = lambda x, shape: shape_ops.expand(x, tuple(shape))
tensor_ns.sum_to_size = lambda x, shape: (convert_ops.sum_to_size(x, tuple(shape)) if len(shape)
                                          else reduce_ops.sum(x))  # (PyTorch's sum_to)
tensor_ns.spread = tensor_ns.broadcast_to
tensor_ns.matrix_transpose = lambda x: shape_ops.transpose(x, -2, -1)
tensor_ns.swapaxes = shape_ops.transpose
tensor_ns.transpose = lambda x, axes: shape_ops.permute(x, tuple(axes))
tensor_ns.moveaxis = shape_ops.movedim
tensor_ns.flip = lambda x, axis: shape_ops.flip(x, (axis,) if isinstance(axis, int) else tuple(axis))
tensor_ns.roll = lambda x, shift, axis=None: shape_ops.roll(x, shift, axis)
tensor_ns.concatenate = lambda xs, axis=0: shape_ops.cat(list(xs), axis)
tensor_ns.stack = lambda xs, axis=0: shape_ops.stack(list(xs), axis)
tensor_ns.split = split
tensor_ns.take = lambda x, indices, axis: index_ops.index_select(x, axis, wrap(np.asarray(indices, np.int64)))
tensor_ns.cumsum = lambda x, axis: reduce_ops.cumsum(x, axis)
tensor_ns.cumprod = lambda x, axis: reduce_ops.cumprod(x, axis)
tensor_ns.matmul = linalg_ops.matmul
tensor_ns.einsum = linalg_ops.einsum
tensor_ns.diagonal = lambda x, offset=0, axis1=0, axis2=1: linalg_ops.diagonal(x, offset, axis1, axis2)
tensor_ns.tril = lambda x, k=0: linalg_ops.tril(x, k)
tensor_ns.triu = lambda x, k=0: linalg_ops.triu(x, k)
tensor_ns.eye = lambda n, m=None, dtype=None: wrap(np.eye(n, m, dtype=_dt.to_dtype(dtype).np if dtype else None))
tensor_ns.linalg_solve = linalg_ops.solve
tensor_ns.adjugate = adjugate
tensor_ns.zeros = zeros
tensor_ns.zeros_like = lambda x: wrap(np.zeros(x.shape, x._data.dtype))
tensor_ns.ones_like = lambda x: wrap(np.ones(x.shape, x._data.dtype))
tensor_ns.index_add_zeros = index_add_zeros
tensor_ns.index_put_zeros = lambda g, key: index_ops._index_put_zeros(g, key=key)
tensor_ns.diagonal_embed_zeros = lambda g, shape, offset, d1, d2: linalg_ops._diagonal_embed(
    g, shape=tuple(shape), offset=offset, dim1=d1, dim2=d2)
tensor_ns.einsum_embed = lambda g, unique, subs, shape: linalg_ops._einsum_embed(g, unique=unique, subs=subs,
                                                                                 shape=tuple(shape))
for _name in ("exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign", "floor",
              "ceil", "trunc", "sigmoid", "erf", "erfc", "isfinite", "square", "reciprocal"):
    setattr(tensor_ns, _name, getattr(elementwise_ops, _name))
# (which take a Python number too)
tensor_ns.maximum, tensor_ns.minimum = elementwise_ops._maximum, elementwise_ops._minimum
tensor_ns.arctan = elementwise_ops.atan

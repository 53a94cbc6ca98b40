"""dxdy.linalg: the torch.linalg namespace."""
import numpy as np

from .ops.linalg import det, inv, solve, matrix_norm, matmul, vdot, slogdet, cross, LinAlgError  # noqa: F401
from .ops.linalg import diagonal as _diagonal
from .ops.reduce import vector_norm
from .ops._op import write_out
from .return_types import make_return_type
from .tensor import Tensor, wrap, _wrap_dim


def norm(input, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector norm of a 1-D input (or over one dim), the matrix norm of a 2-D input (or over two dims)."""
    A = input
    matrix = dim is not None and not isinstance(dim, int) and len(dim) == 2
    if matrix:  # (PyTorch checks the dims first)
        for d in dim:
            _wrap_dim(d, A.ndim)
    if dim is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    if matrix or isinstance(ord, str) or (dim is None and A.ndim == 2 and ord is not None):
        result = matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    else:
        result = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return write_out(result, out, "linalg_norm")


def inv_ex(A, *, check_errors=False):
    return make_return_type("linalg_inv_ex", ("inverse", "info"))((inv(A), _zeros_info(A)))


def _zeros_info(A):
    return wrap(np.zeros(A.shape[:-2], np.int32))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices in A (over its last two dims by default), as a view."""
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along dim (the other dims broadcast); of two 1-D tensors, vdot.

    As in PyTorch: x and y must share one floating dtype; two 1-D tensors take vdot's path (a
    VdotBackward0 node, vdot's size check, dim unused), anything else multiplies and sums along dim.
    """
    for position, (name, a) in enumerate((("x", x), ("y", y)), 1):
        if not isinstance(a, Tensor):
            raise TypeError(f"linalg_vecdot(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(a).__name__}")
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{x.dtype.type_name} and y of type {y.dtype.type_name} instead")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype.type_name}")
    if x._data.ndim == 1 and y._data.ndim == 1:
        return vdot(x, y)
    return (x * y).sum(dim)

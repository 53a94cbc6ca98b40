"""dxdy.linalg: the torch.linalg namespace."""
from .ops.linalg import det, inv, solve, matrix_norm, matmul, vdot, diagonal, _square
from .ops.reduce import vector_norm
from .ops import linalg as _L


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """The vector norm of a 1-D input (or over one dim), the matrix norm of a 2-D input (or over two dims)."""
    if dim is not None and not isinstance(dim, int) and len(dim) == 2 or (dim is None and A.ndim == 2
                                                                           and ord is not None):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def inv_ex(A, *, check_errors=False):
    from .return_types import make_return_type
    return make_return_type("linalg_inv_ex", ("inverse", "info"))((inv(A), _zeros_info(A)))


def _zeros_info(A):
    import numpy as np
    from .tensor import wrap
    return wrap(np.zeros(A.shape[:-2], np.int32))


def slogdet(A):
    from .return_types import make_return_type
    d = det(A)
    return make_return_type("linalg_slogdet", ("sign", "logabsdet"))((d.sign(), d.abs().log()))


def cross(input, other, *, dim=-1):
    from .ops.shape import stack
    a = input.movedim(dim, -1)
    b = other.movedim(dim, -1)
    c = stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
               a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
               a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], -1)
    return c.movedim(-1, dim)

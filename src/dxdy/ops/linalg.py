"""Linear algebra: products (dot, mm, matmul, einsum), diagonals and triangles, det/inv/solve, norms.

einsum carries the general rule: the gradient for one operand is itself an
einsum of the output gradient with the other operands. dot/mv/mm/bmm/matmul have
their own rows so that graphs show PyTorch's node names.
"""
import builtins
import string

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, wrap, _wrap_dim
from ._op import op, name_ops


def _type_name(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}[str(t._data.dtype)]


def _same_dtype(name, x, y):
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"{name}: expected both vectors to have same dtype, but found {_type_name(x)} and "
                           f"{_type_name(y)}" if name in ("dot", "vdot") else
                           f"expected m1 and m2 to have the same dtype, but got: {x.dtype.name} != {y.dtype.name}"
                           if name != "bmm" else
                           f"expected scalar type {_type_name(x)} but found {_type_name(y)}")


def _check(name, x, y):
    for a in (x, y):
        if not isinstance(a, Tensor):
            raise TypeError(f"{name}(): argument must be Tensor, not {type(a).__name__}")


# -- products ---------------------------------------------------------------------------------------
_dot = op(lambda xp, x, y: xp.asarray(xp.dot(x, y)),
          vjp=(lambda xp, g, x, y: g * y, lambda xp, g, x, y: g * x), node="DotBackward0")
_vdot = op(lambda xp, x, y: xp.asarray(xp.dot(x, y)),
           vjp=(lambda xp, g, x, y: g * y, lambda xp, g, x, y: g * x), node="VdotBackward0")


def _vectors(name, x, y):
    _check(name, x, y)
    if x._data.ndim != 1 or y._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x._data.ndim}D and {y._data.ndim}D tensors")
    if x._data.shape[0] != y._data.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{x._data.shape[0]}] and src "
                           f"[{y._data.shape[0]}] to have the same number of elements, but got {x._data.shape[0]} "
                           f"and {y._data.shape[0]} elements respectively")
    _same_dtype(name, x, y)


def dot(input, tensor, *, out=None):
    """The inner product of two 1-D tensors of one dtype.

    >>> dxdy.dot(dxdy.tensor([1., 2.]), dxdy.tensor([3., 4.]))
    tensor(11.)
    """
    _vectors("dot", input, tensor)
    return _dot(input, tensor)


def vdot(input, other, *, out=None):
    _vectors("vdot", input, other)
    return _vdot(input, other)


_mv = op(lambda xp, x, y: xp.matmul(x, y),
         vjp=(lambda xp, g, x, y: xp.expand_dims(g, -1) * y, lambda xp, g, x, y: xp.matmul(g, x)),
         node="MvBackward0")
_mm = op(lambda xp, x, y: xp.matmul(x, y),
         vjp=(lambda xp, g, x, y: xp.matmul(g, xp.matrix_transpose(y)),
              lambda xp, g, x, y: xp.matmul(xp.matrix_transpose(x), g)),
         node="MmBackward0")
_bmm = op(lambda xp, x, y: xp.matmul(x, y),
          vjp=(lambda xp, g, x, y: xp.matmul(g, xp.matrix_transpose(y)),
               lambda xp, g, x, y: xp.matmul(xp.matrix_transpose(x), g)),
          node="BmmBackward0")


def mv(input, vec, *, out=None):
    """Matrix (n, m) times vector (m,)."""
    _check("mv", input, vec)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec._data.ndim}, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat ({input._data.shape[0]}x"
                           f"{input._data.shape[1]}), vec ({vec._data.shape[0]})")
    _same_dtype("mv", input, vec)
    return _mv(input, vec)


def mm(input, mat2, *, out=None):
    """Matrix product of (n, k) and (k, m)."""
    _check("mm", input, mat2)
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    if input._data.shape[1] != mat2._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input._data.shape[0]}x"
                           f"{input._data.shape[1]} and {mat2._data.shape[0]}x{mat2._data.shape[1]})")
    _same_dtype("mm", input, mat2)
    return _mm(input, mat2)


def bmm(input, mat2, *, out=None):
    """Batched matrix product of (b, n, k) and (b, k, m), without broadcasting."""
    _check("bmm", input, mat2)
    if input._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    b, n, k = input._data.shape
    if mat2._data.shape[:2] != (b, k):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but got: "
                           f"[{mat2._data.shape[0]}, {mat2._data.shape[1]}].")
    _same_dtype("bmm", input, mat2)
    return _bmm(input, mat2)


def _matmul_vjp_x(xp, g, x, y):
    x1 = xp.expand_dims(x, 0) if x.ndim == 1 else x
    y1 = xp.expand_dims(y, -1) if y.ndim == 1 else y
    g1 = _matmul_grad_shape(xp, g, x.ndim, y.ndim)
    gx = xp.sum_to_size(xp.matmul(g1, xp.matrix_transpose(y1)), x1.shape)
    return xp.reshape(gx, x.shape)


def _matmul_vjp_y(xp, g, x, y):
    x1 = xp.expand_dims(x, 0) if x.ndim == 1 else x
    y1 = xp.expand_dims(y, -1) if y.ndim == 1 else y
    g1 = _matmul_grad_shape(xp, g, x.ndim, y.ndim)
    gy = xp.sum_to_size(xp.matmul(xp.matrix_transpose(x1), g1), y1.shape)
    return xp.reshape(gy, y.shape)


def _matmul_grad_shape(xp, g, nx, ny):
    # Put back the dims matmul removed for 1-D operands.
    if nx == 1:
        g = xp.expand_dims(g, -2 if ny > 1 else 0)
    if ny == 1:
        g = xp.expand_dims(g, -1)
    return g


_matmul = op(lambda xp, x, y: xp.matmul(x, y), vjp=(_matmul_vjp_x, _matmul_vjp_y), node="UnsafeViewBackward0")
_matmul_squeeze = op(lambda xp, x, y: xp.matmul(x, y), vjp=(_matmul_vjp_x, _matmul_vjp_y),
                     node="SqueezeBackward4")
_matmul_clone = op(lambda xp, x, y: xp.matmul(x, y), vjp=(_matmul_vjp_x, _matmul_vjp_y), node="CloneBackward0")


def matmul(input, other, *, out=None):
    """The matrix product with NumPy's rules: 1-D operands are vectors, leading dims broadcast.

    >>> (dxdy.ones(2, 3) @ dxdy.ones(3)).shape
    dxdy.Size([2])
    """
    _check("matmul", input, other)
    nx, ny = input._data.ndim, other._data.ndim
    if nx == 0 or ny == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {nx}D and {ny}D")
    if nx == 1 and ny == 1:
        return dot(input, other)
    if nx == 2 and ny == 1:
        return mv(input, other)
    if nx == 2 and ny == 2:
        return mm(input, other)
    k_x = input._data.shape[-1]
    k_y = other._data.shape[-2] if ny > 1 else other._data.shape[0]
    if k_x != k_y:
        xs = "x".join(map(str, input._data.shape[-2:] if nx > 1 else (1,) + input._data.shape))
        ys = "x".join(map(str, other._data.shape[-2:] if ny > 1 else other._data.shape + (1,)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({xs} and {ys})" if nx <= 2 and ny <= 2
                           else f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input._data.shape[0] if nx > 2 else 1}, {k_x}] but got: "
                           f"[{other._data.shape[0] if ny > 2 else 1}, {k_y}].")
    try:
        np.broadcast_shapes(input._data.shape[:-2], other._data.shape[:-2])
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({input._data.shape[-3]}) must match the size of tensor b "
                           f"({other._data.shape[-3]}) at non-singleton dimension 0") from None
    _same_dtype("matmul", input, other)
    # One rule; three rows only so that grad_fn carries PyTorch's name for each case.
    if nx == 1 and ny == 2:
        return _matmul_squeeze(input, other)
    return (_matmul_clone if nx == 2 else _matmul)(input, other)


def outer(input, vec2):
    """The outer product x y^T of two 1-D tensors."""
    _check("outer", input, vec2)
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    return input.reshape(-1, 1) * vec2


ger = outer


# -- einsum ---------------------------------------------------------------------------------------------
def _parse_einsum(equation, ndims):
    """Subscripts per operand and for the output, with '...' kept as one token '.'."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    ins = lhs.split(",")
    if len(ins) != len(ndims):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(ins) < len(ndims) else
                           "einsum(): fewer operands were provided than specified in the equation")
    ins = [s.replace("...", ".") for s in ins]
    for s, n in zip(ins, ndims):
        letters = len(s.replace(".", ""))
        if ("." not in s and letters != n) or ("." in s and letters > n):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) does not match the "
                               f"number of dimensions ({n}) for operand {ins.index(s)}"
                               + ("" if "." in s else " and no ellipsis was given"))
    if rhs is None:
        counts = {}
        for s in ins:
            for c in s:
                if c != ".":
                    counts[c] = counts.get(c, 0) + 1
        rhs = ("." if builtins.any("." in s for s in ins) else "") + "".join(
            sorted(c for c, k in counts.items() if k == 1))
    else:
        rhs = rhs.replace("...", ".")
    return ins, rhs


def _eq(ins, out):
    return ",".join(s.replace(".", "...") for s in ins) + "->" + out.replace(".", "...")


def _einsum_vjp(xp, g, xs, ins, out):
    grads = []
    for i, s in enumerate(ins):
        others = [x for j, x in enumerate(xs) if j != i]
        other_subs = [t for j, t in enumerate(ins) if j != i]
        available = set(out) | set("".join(other_subs))
        unique = "".join(dict.fromkeys(s))
        kept = "".join(c for c in unique if c in available)
        gi = xp.einsum(_eq([out] + other_subs, kept), g, *others)
        shape_i = xs[i].shape
        gi = _expand_missing(xp, gi, kept, unique, s, shape_i)
        if len(unique) != len(s):
            gi = xp.einsum_embed(gi, unique, s, shape_i)
        elif "." in s:
            ell = len(shape_i) - (len(s) - 1)
            gi = xp.sum_to_size(gi, shape_i) if ell >= 0 else gi
        grads.append(gi)
    return tuple(grads)


def _expand_missing(xp, gi, kept, unique, s, shape):
    """Put back, by broadcasting, the operand's indices that only it carried (summed in the forward)."""
    if kept == unique:
        return gi
    sizes = _letter_sizes(s, shape)
    target = []
    src = []
    for c in unique:
        if c == ".":
            n = len(shape) - (len(s) - 1)
            target.extend(shape[s.index("."):s.index(".") + n])
            src.extend(["."] * n)
        else:
            target.append(sizes[c])
            src.append(c)
    # gi holds the kept letters in order; insert size-1 axes for the missing ones.
    view = []
    it = iter(gi.shape)
    for c in src:
        view.append(next(it) if c in kept else 1)
    return xp.broadcast_to(xp.reshape(gi, tuple(view)), tuple(target))


def _letter_sizes(s, shape):
    sizes = {}
    k = 0
    for c in s:
        if c == ".":
            k += len(shape) - (len(s) - 1)
            continue
        sizes[c] = shape[k]
        k += 1
    return sizes


_einsum = op(lambda xp, *xs, ins, out: xp.asarray(xp.einsum(_eq(ins, out), *xs)),
             vjp=lambda xp, g, xs, ins, out: _einsum_vjp(xp, g, xs, ins, out), node="ViewBackward0")


def einsum(equation, *operands):
    """Sums of products named by subscripts: `einsum('ij,jk->ik', a, b)` is a @ b."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operands must be Tensors, got {type(t).__name__}")
    ins, out = _parse_einsum(equation, [t._data.ndim for t in operands])
    d = operands[0].dtype
    for t in operands[1:]:
        if t.dtype is not d:
            raise RuntimeError(f"expected scalar type {_type_name(operands[0])} but found {_type_name(t)}")
    try:
        return _einsum(*operands, ins=tuple(ins), out=out)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None


def tensordot(a, b, dims=2, out=None):
    """Contract the last `dims` dims of a with the first of b, or the given pairs of dims."""
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, int):
        ax_a, ax_b = list(range(na - dims, na)), list(range(dims))
    else:
        ax_a, ax_b = ([dims[0]] if isinstance(dims[0], int) else list(dims[0]),
                      [dims[1]] if isinstance(dims[1], int) else list(dims[1]))
    ax_a = [_wrap_dim(d, na) for d in ax_a]
    ax_b = [_wrap_dim(d, nb) for d in ax_b]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out_subs = [c for k, c in enumerate(sa) if k not in ax_a] + [c for k, c in enumerate(sb) if k not in ax_b]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out_subs), a, b)


def inner(input, other):
    """Sum over the last dims of both (a scalar times a tensor when either is 0-D)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.ndim == 1 and other._data.ndim == 1:
        return dot(input, other)
    return tensordot(input, other, ([-1], [-1]))


# -- diagonals and triangles -----------------------------------------------------------------------------
_trace = op(lambda xp, x: xp.asarray(xp.trace(x)),
            vjp=lambda xp, g, x_shape: g * xp.eye(x_shape[0], x_shape[1], dtype=g.dtype),
            node="TraceBackward0", linear=True)


def trace(input):
    """The sum of the main diagonal of a 2-D tensor."""
    if input._data.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input._data.ndim))
    return _trace(input)


_diagonal = op(lambda xp, x, *, offset, dim1, dim2: xp.diagonal(x, offset, dim1, dim2),
               vjp=lambda xp, g, x_shape, offset, dim1, dim2: xp.diagonal_embed_zeros(g, x_shape, offset, dim1, dim2),
               node="DiagonalBackward0", view=True, linear=True)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal at `offset` over dims dim1 and dim2 (a view), as the last dim."""
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _diagonal(input, offset=offset, dim1=d1, dim2=d2)


_diag_embed = op(lambda xp, x, *, offset: xp.diagflat_offset(x, offset),
                 vjp=lambda xp, g, offset: xp.diagonal(g, offset, 0, 1),
                 node="DiagEmbedBackward0", linear=True)


def diag(input, diagonal=0):
    """A 1-D tensor to a diagonal matrix, or a 2-D tensor to its diagonal."""
    n = input._data.ndim
    if n == 1:
        return _diag_embed(input, offset=diagonal)
    if n == 2:
        return _diagonal_copy(input, offset=diagonal, dim1=0, dim2=1)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + str(n) + "D")


_diagonal_copy = op(lambda xp, x, *, offset, dim1, dim2: xp.diagonal(x, offset, dim1, dim2).copy(),
                    vjp=lambda xp, g, x_shape, offset, dim1, dim2:
                    xp.diagonal_embed_zeros(g, x_shape, offset, dim1, dim2),
                    node="DiagonalBackward0_copy", linear=True)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    if (dim1, dim2) != (-2, -1) or input._data.ndim != 1:
        raise NotImplementedError("diag_embed supports a 1-D input with the default dims")
    return _diag_embed(input, offset=offset)


_tril = op(lambda xp, x, *, diagonal: xp.tril(x, diagonal), vjp=lambda xp, g, diagonal: xp.tril(g, diagonal),
           node="TrilBackward0", linear=True)
_triu = op(lambda xp, x, *, diagonal: xp.triu(x, diagonal), vjp=lambda xp, g, diagonal: xp.triu(g, diagonal),
           node="TriuBackward0", linear=True)


def tril(input, diagonal=0):
    """The lower triangle (at and below `diagonal`), zeros elsewhere."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _tril(input, diagonal=diagonal)


def triu(input, diagonal=0):
    """The upper triangle (at and above `diagonal`), zeros elsewhere."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _triu(input, diagonal=diagonal)


# The transposes used by rules, as differentiable ops for create_graph (see _tensor_ns.py).
_diagonal_embed = op(lambda xp, v, *, shape, offset, dim1, dim2: xp.diagonal_embed_zeros(v, shape, offset, dim1, dim2),
                     vjp=lambda xp, g, offset, dim1, dim2: xp.diagonal(g, offset, dim1, dim2),
                     node="DiagonalBackwardBackward0", linear=True)
_einsum_embed = op(lambda xp, v, *, unique, subs, shape: xp.einsum_embed(v, unique, subs, shape),
                   vjp=lambda xp, g, unique, subs: xp.einsum(subs + "->" + unique, g),
                   node="EinsumBackwardBackward0", linear=True)


# -- det, inv, solve ---------------------------------------------------------------------------------------
def _square(name, A):
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if A._data.shape[-1] != A._data.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{A._data.shape[-2]} by {A._data.shape[-1]} matrices")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_type_name(A)}")


def _det_vjp(xp, g, x):
    # d det(A) / dA = adj(A)^T, which exists for singular A too.
    return xp.expand_dims(xp.expand_dims(g, -1), -1) * xp.matrix_transpose(xp.adjugate(x))


_det = op(lambda xp, x: xp.asarray(xp.linalg.det(x)), vjp=_det_vjp, node="LinalgDetBackward0")


def det(A):
    """The determinant of a square matrix (or of each in a batch)."""
    _square("det", A)
    return _det(A)


def _inv_forward(xp, x):
    try:
        return xp.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise RuntimeError("linalg.inv: The diagonal element 1 is zero, the inversion could not be completed "
                           "because the input matrix is singular.") from None


_inv = op(_inv_forward,
          vjp=lambda xp, g, out: -xp.matmul(xp.matrix_transpose(out), xp.matmul(g, xp.matrix_transpose(out))),
          node="LinalgInvExBackward0")


def inv(A):
    """The inverse of a square matrix; RuntimeError when it is singular."""
    _square("inv", A)
    return _inv(A)


def _solve_forward(xp, a, b, *, vector):
    try:
        if vector:
            return xp.squeeze(xp.linalg.solve(a, xp.expand_dims(b, -1)), axis=-1)
        return xp.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise RuntimeError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None


def _solve_vjp_b(xp, g, a, out, vector):
    at = xp.matrix_transpose(a)
    if vector:
        return xp.squeeze(xp.linalg_solve(at, xp.expand_dims(g, -1)), axis=-1)
    return xp.linalg_solve(at, g)


def _solve_vjp_a(xp, g, a, out, vector):
    gb = _solve_vjp_b(xp, g, a, out, vector)
    if vector:
        return -xp.expand_dims(gb, -1) * xp.expand_dims(out, -2)
    return -xp.matmul(gb, xp.matrix_transpose(out))


_solve = op(_solve_forward, vjp=(_solve_vjp_a, _solve_vjp_b), node="LinalgSolveExBackward0", broadcasts=True)


def solve(A, B, *, left=True):
    """X with A X = B. B is a vector (or batch of vectors) when it has one dim fewer than A."""
    if not left:
        return solve(A.mT, B.mT).mT
    _square("solve", A)
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and B._data.shape == A._data.shape[:-1])
    n = A._data.shape[-1]
    if (B._data.shape[-1] if vector else B._data.shape[-2]) != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A._data.shape[-2]}x{n} and {'x'.join(map(str, B._data.shape[-2:]))})")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_type_name(A)} and B of type {_type_name(B)} instead")
    return _solve(A, B, vector=vector)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius norm ('fro', default) or the nuclear norm ('nuc') over two dims."""
    from .reduce import vector_norm
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if ord == "nuc":
        raise NotImplementedError("linalg.matrix_norm(ord='nuc') needs an SVD with gradients; not yet in dxdy")
    if ord in (1, -1, float("inf"), float("-inf")):
        from .reduce import amax, amin, sum as _sum
        d0, d1 = (_wrap_dim(d, A._data.ndim) for d in dim)
        along = d0 if ord in (1, -1) else d1
        across = d1 if ord in (1, -1) else d0
        s = _sum(A.abs(), along, keepdim=True)
        r = (amax if ord > 0 else amin)(s, across, keepdim=True)
        return r if keepdim else r.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


name_ops(globals())

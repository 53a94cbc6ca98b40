"""Linear algebra: products (dot, mm, matmul, einsum), diagonals and triangles, det/inv/solve, norms.

einsum carries the general rule: the gradient for one operand is itself an
einsum of the output gradient with the other operands. dot/mv/mm/bmm/matmul have
their own rows so that graphs show PyTorch's node names.
"""
import builtins
import math

import numpy as np

from .. import dtypes as _dt
from ..creation import _finish
from ..dtypes import type_name
from ..mode import state as _mode
from ..return_types import make_return_type
from ..tensor import Tensor, _wrap_dim, wrap, check_on_cpu
from ..messages import warn_once
from ._op import op, name_ops
from .out import write_out
from .promotion import broadcast_shape
from .elementwise import where as _where
from .reduce import vector_norm as _vector_norm, amax as _amax, amin as _amin, sum as _sum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # einsum subscripts


def _same_dtype(name, x, y):
    """PyTorch's message, which differs from op to op, when x and y differ in dtype."""
    if x._data.dtype == y._data.dtype:
        return
    tx, ty = x.dtype.type_name, y.dtype.type_name
    if name in ("dot", "vdot"):
        msg = f"dot : expected both vectors to have same dtype, but found {tx} and {ty}"
    elif name == "mv":
        msg = f"addmv input tensors must have the same dtype, but got {ty}, {tx}, and {ty}"
    elif name in ("bmm", "einsum"):
        msg = f"expected scalar type {tx} but found {ty}"
    elif name == "tensordot":
        msg = "both inputs should have same dtype"
    else:
        msg = (f"expected m1 and m2 to have the same dtype, but got: {x.dtype.cpp_name} != "
               f"{y.dtype.cpp_name}")
    raise RuntimeError(msg)


# PyTorch's names for the second argument, which its errors quote.
_SECOND = {"dot": "tensor", "mv": "vec", "mm": "mat2", "bmm": "mat2", "outer": "vec2"}


def _check(name, x, y):
    if isinstance(x, Tensor) and isinstance(y, Tensor):  # (the common case, first)
        return
    for pos, arg, a in ((1, "input", x), (2, _SECOND.get(name, "other"), y)):
        if not isinstance(a, Tensor):
            raise TypeError(f"{name.replace('.', '_')}(): argument '{arg}' (position {pos}) must be Tensor, "
                            f"not {type_name(a)}")


# -- products ---------------------------------------------------------------------------------------
# (x.dot(y): the forward gets arrays, and the method skips np.dot's dispatch.)
_dot = op(lambda xp, x, y: xp.asarray(x.dot(y)),
          vjp=(lambda xp, g, y: g * y, lambda xp, g, x: g * x), node="DotBackward0")
_vdot = op(lambda xp, x, y: xp.asarray(x.dot(y)),
           vjp=(lambda xp, g, y: g * y, lambda xp, g, x: g * x), node="VdotBackward0")


def _vectors(name, x, y):
    if not (isinstance(x, Tensor) and isinstance(y, Tensor)):
        _check(name, x, y)
    a, b = x._data, y._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if len(a) != len(b):  # (1-D: the length is the size, with no shape tuple made)
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                           f"and {b.shape[0]} elements respectively")
    if a.dtype is not b.dtype and a.dtype != b.dtype:  # (identity first: NumPy's dtypes of one kind are one object)
        _same_dtype(name, x, y)


def dot(input, tensor, *, out=None):
    """The inner product of two 1-D tensors of one dtype.

    >>> dxdy.dot(dxdy.tensor([1., 2.]), dxdy.tensor([3., 4.]))
    tensor(11.)
    """
    _vectors("dot", input, tensor)
    return write_out(_dot(input, tensor) if input._rg or tensor._rg else _product(input, tensor), out)


def vdot(input, other, *, out=None):
    _vectors("vdot", input, other)
    return write_out(_vdot(input, other) if input._rg or other._rg else _product(input, other), out)


def _product(x, y):
    # Neither vector requires grad: no graph to record, so the rows' forward alone (apply's result, with less
    # Python).
    return wrap(np.asarray(x._data.dot(y._data)))


_mv = op(lambda xp, x, y: xp.matmul(x, y),
         vjp=(lambda xp, g, y: xp.expand_dims(g, -1) * y, lambda xp, g, x: xp.matmul(g, x)),
         node="MvBackward0")
_mm = op(lambda xp, x, y: xp.matmul(x, y),
         vjp=(lambda xp, g, y: xp.matmul(g, xp.matrix_transpose(y)),
              lambda xp, g, x: xp.matmul(xp.matrix_transpose(x), g)),
         node="MmBackward0")
_bmm = op(lambda xp, x, y: xp.matmul(x, y),
          vjp=(lambda xp, g, y: xp.matmul(g, xp.matrix_transpose(y)),
               lambda xp, g, x: xp.matmul(xp.matrix_transpose(x), g)),
          node="BmmBackward0")


def mv(input, vec, *, out=None):
    """Matrix (n, m) times vector (m,)."""
    _check("mv", input, vec)
    if not input._data.ndim:  # (PyTorch's message reads the matrix's size(0) first)
        _wrap_dim(0, 0, scalar_ok=False)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec._data.ndim}, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    if input._data.shape[1] != vec._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0]}), mat ({input._data.shape[0]}x"
                           f"{input._data.shape[1]}), vec ({vec._data.shape[0]})")
    _same_dtype("mv", input, vec)
    return write_out(_mv(input, vec), out)


def mm(input, mat2, *, out=None):
    """Matrix product of (n, k) and (k, m)."""
    _check("mm", input, mat2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return write_out(_matrices(input, mat2), out)


def _matrices(x, y):
    """mm of two checked matrices (matmul's 2-D case comes here directly)."""
    if x._data.shape[1] != y._data.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x._data.shape[0]}x"
                           f"{x._data.shape[1]} and {y._data.shape[0]}x{y._data.shape[1]})")
    _same_dtype("mm", x, y)
    return _mm(x, y)


# beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape. (g itself where beta is 1, as
# PyTorch's maybe_multiply.)
_addmm = op(lambda xp, b, x, y, *, beta, alpha: beta * b + alpha * xp.matmul(x, y),
            vjp=(lambda xp, g, b_shape, beta: xp.sum_to_size(g if beta == 1 else g * beta, b_shape),
                 lambda xp, g, y, alpha: xp.matmul(g * alpha, xp.matrix_transpose(y)),
                 lambda xp, g, x, alpha: xp.matmul(xp.matrix_transpose(x), g * alpha)),
            node="AddmmBackward0")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape."""
    product = mm(mat1, mat2)  # PyTorch's checks and messages for the product
    shape, have = product._data.shape, input._data.shape
    if len(have) > 2 or any(h not in (1, t) for h, t in zip(have[::-1], shape[::-1])):
        for k, (h, t) in enumerate(zip(have[::-1], shape[::-1])):
            if h not in (1, t):
                raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing size ({h}) at "
                                   f"non-singleton dimension {len(shape) - 1 - k}.  Target sizes: {list(shape)}.  "
                                   f"Tensor sizes: {list(have)}")
        raise RuntimeError(f"addmm(): input of {len(have)} dims cannot broadcast to a matrix")
    _same_dtype("addmm", input, mat1)
    return write_out(_addmm(input, mat1, mat2, beta=beta, alpha=alpha), out)


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
    return write_out(_bmm(input, mat2), out)


# Each rule reads the other operand and only the shape of its own (PyTorch saves x only for y's gradient).
# NOTE [What matmul saves]
# PyTorch's matmul of a batch folds it into the rows of one mm/mv, or expands both operands to the common
# batch for a bmm; the reshapes there copy an operand when its layout cannot be viewed so (a transposed
# batch, a broadcast batch dim). The node then saves the copy: changing the operand in place afterwards
# does not fail backward, whose result uses the values at the product. dxdy saves a clone in those cases.
def _saved_copies(x, y):
    """Whether PyTorch's matmul(x, y) saves a reshaped copy of x, of y (not x or y, or a view of them)."""
    # Of two 3-D operands, one with a batch of 1 counts as a matrix (as PyTorch 2.13 measured).
    a, b = x._data, y._data
    if a.ndim == b.ndim == 3:
        a, b = (t[0] if t.shape[0] == 1 else t for t in (a, b))
    nx, ny = a.ndim, b.ndim
    if nx <= 2 and ny <= 2:
        return False, False
    t1 = a if nx >= ny else np.swapaxes(b, -1, -2)  # the operand whose batch may be folded into rows
    if min(nx, ny) <= 2 and ((y if nx >= ny else x)._rg or
                             (nx != 2 and (t1.size == 0 or _collapses(t1.shape, t1.strides)))):
        copied = not (t1.size == 0 or _collapses(t1.shape[:-1], t1.strides[:-1]))
        return (copied, False) if nx >= ny else (False, copied)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return _expanded_copy(a, batch), _expanded_copy(b, batch)


def _collapses(shape, strides):
    """Whether dims of these sizes and strides merge into one without a copy (size-1 dims do not count)."""
    dims = [(n, s) for n, s in zip(shape, strides) if n != 1]
    return all(s == s_next * n_next for (_, s), (n_next, s_next) in zip(dims, dims[1:]))


def _expanded_copy(a, batch):
    """Whether expanding `a` to `batch` + its matrix dims and merging the batch copies it (a 1-D `a` never)."""
    if a.ndim == 1 or a.size == 0 or 0 in batch:  # (anything empty is viewed as any shape)
        return False
    own = (1,) * (len(batch) - (a.ndim - 2)) + a.shape[:-2]
    strides = (0,) * (len(batch) - (a.ndim - 2)) + a.strides[:-2]
    return not _collapses(batch, [s if n == b else 0 for n, s, b in zip(own, strides, batch)])


def _matmul_vjp_x(xp, g, y, x_shape, y_shape):
    y1 = xp.expand_dims(y, -1) if len(y_shape) == 1 else y
    g1 = _matmul_grad_shape(xp, g, len(x_shape), len(y_shape))
    gx = xp.sum_to_size(xp.matmul(g1, xp.matrix_transpose(y1)), (1,) * (len(x_shape) == 1) + tuple(x_shape))
    return xp.reshape(gx, tuple(x_shape))


def _matmul_vjp_y(xp, g, x, x_shape, y_shape):
    x1 = xp.expand_dims(x, 0) if len(x_shape) == 1 else x
    g1 = _matmul_grad_shape(xp, g, len(x_shape), len(y_shape))
    gy = xp.sum_to_size(xp.matmul(xp.matrix_transpose(x1), g1), tuple(y_shape) + (1,) * (len(y_shape) == 1))
    return xp.reshape(gy, tuple(y_shape))


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
_matmul_transpose = op(lambda xp, x, y: xp.matmul(x, y), vjp=(_matmul_vjp_x, _matmul_vjp_y),
                       node="TransposeBackward0")


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
        return write_out(dot(input, other), out)
    if nx == 2 and ny == 1:
        return write_out(mv(input, other), out)
    if nx == 2 and ny == 2:
        return write_out(_matrices(input, other), out)
    xs, ys = input._data.shape, other._data.shape
    k_x, k_y = xs[-1], (ys[-2] if ny > 1 else ys[0])
    if nx == 1 and ny == 2:
        if k_x != k_y:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{k_x} and {ys[0]}x{ys[1]})")
    elif nx >= 3 and ny <= 2 and (input._data.size == 0 or input.is_contiguous() or
                                  (input._rg and other._rg)):
        # PyTorch folds the batch into the rows of one matrix product; its messages show the folded sizes.
        rows = math.prod(xs[:-1])
        if k_x != k_y:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_x}), vec ({k_y})" if ny == 1 else
                               f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_x} and {ys[0]}x{ys[1]})")
    else:
        batch = math.prod(broadcast_shape(xs[:-2], ys[:-2]))
        if k_x != k_y:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k_x}] "
                               f"but got: [{batch}, {k_y}].")
    _same_dtype("matmul", input, other)
    if _mode.grad_enabled and (input._rg or other._rg):
        copy_x, copy_y = _saved_copies(input, other)
        input, other = (input.clone() if copy_x else input), (other.clone() if copy_y else other)
    # One rule; three rows only so that grad_fn carries PyTorch's name for each case.
    if nx == 1 and ny == 2:
        return write_out(_matmul_squeeze(input, other), out)
    if nx == 2 and input._rg:
        # A matrix times a batch: PyTorch folds the batch when the matrix requires grad, and transposes the
        # result back, copying it (a clone) unless the transpose is contiguous already (a size-1 or empty result).
        m, p, batch = xs[0], ys[-1], math.prod(ys[:-2])
        return write_out((_matmul_clone if m > 1 and p > 1 and batch else _matmul_transpose)(input, other), out)
    return write_out(_matmul(input, other), out)


def outer(input, vec2, *, out=None):
    """The outer product x y^T of two 1-D tensors."""
    _check("outer", input, vec2)
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    return write_out(input.reshape(-1, 1) * vec2, out)


ger = outer


# -- einsum ---------------------------------------------------------------------------------------------
# Subscripts are strings of letters, with '...' written as the one character '.'.
def _parse_einsum(equation, ndims):
    """Subscripts per operand and for the output (implicit output: '...' then the letters seen once, sorted)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = [s.replace("...", ".") for s in lhs.split(",")]
    if len(ins) != len(ndims):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(ins) < len(ndims) else
                           "einsum(): fewer operands were provided than specified in the equation")
    for k, (s, n) in enumerate(zip(ins, ndims)):
        for c in s:
            if c != "." and not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                                   f"string, subscripts must be in [a-zA-Z]")
        letters = len(s.replace(".", ""))
        if ("." not in s and letters != n) or ("." in s and letters > n):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) "
                               + ("does not match the number of dimensions" if "." not in s else
                                  "is more than the number of dimensions")
                               + f" ({n}) for operand {k}" + ("" if "." in s else " and no ellipsis was given"))
    if not arrow:
        counts = {}
        for c in "".join(ins).replace(".", ""):
            counts[c] = counts.get(c, 0) + 1
        rhs = ("." if builtins.any("." in s for s in ins) else "") + "".join(
            sorted(c for c, k in counts.items() if k == 1))
    else:
        rhs = rhs.replace("...", ".")
        seen = set("".join(ins))
        for c in rhs:
            if c != "." and c not in seen:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   f"operand")
            if rhs.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
    return ins, rhs


def _eq(ins, rhs):
    return ",".join(ins) + "->" + rhs


def _spell_ellipses(ins, rhs, ndims):
    """The subscripts with each '...' spelled as fresh letters, one per dim, aligned to the right.

    NumPy cannot sum an ellipsis away ('...i->i'); with letters it can, and it broadcasts
    size-1 dims of a letter as PyTorch does.
    """
    if "." not in "".join(ins) + rhs:
        return list(ins), rhs
    used = set("".join(ins) + rhs)
    fresh = [c for c in _LETTERS if c not in used]
    ranks = [n - (len(s) - 1) if "." in s else 0 for s, n in zip(ins, ndims)]
    letters = "".join(fresh[:builtins.max(ranks)])
    if len(letters) < builtins.max(ranks):
        raise RuntimeError("einsum(): the equation uses too many dims to name them all with letters")
    ins = [s.replace(".", letters[len(letters) - k:] if k else "") for s, k in zip(ins, ranks)]
    return ins, rhs.replace(".", letters)


def _einsum_vjp(xp, g, xs, ins, rhs):
    return _einsum_grads(xp, g, [x.shape for x in xs], xs, ins, rhs)


def _einsum_grads(xp, g, shapes, xs, ins, rhs):
    """d out / d x_i (x_i of shapes[i]): g contracted with the other operands, then put back in x_i's layout.

    Letters only x_i carries were summed in the forward: they come back by broadcasting.
    A letter of size 1 in x_i that broadcast against the others is summed back. A letter
    repeated in x_i (a diagonal) gets the gradient on that diagonal and zeros elsewhere.
    """
    grads = []
    for i, s in enumerate(ins):
        shape = tuple(shapes[i])
        sizes = dict(zip(s, shape))
        others = [x for j, x in enumerate(xs) if j != i]
        other_subs = [t for j, t in enumerate(ins) if j != i]
        letters = "".join(dict.fromkeys(s))
        available = set(rhs + "".join(other_subs))
        kept = "".join(c for c in letters if c in available)
        gi = xp.einsum(_eq([rhs] + other_subs, kept), g, *others)
        target = tuple(sizes[c] for c in kept)
        # A letter of size 1 in the others that broadcast against x_i's: the gradient is the same along it.
        gi = xp.sum_to_size(xp.broadcast_to(gi, np.broadcast_shapes(tuple(gi.shape), target)), target)
        if kept != letters:
            gi = xp.broadcast_to(xp.reshape(gi, tuple(sizes[c] if c in kept else 1 for c in letters)),
                                 tuple(sizes[c] for c in letters))
        if letters != s:
            gi = xp.einsum_embed(gi, letters, s, shape)
        grads.append(gi)
    return tuple(grads)


def _check_einsum_sizes(ins, operands):
    """PyTorch's errors for subscripts, and dims an ellipsis covers, whose sizes disagree (size 1 broadcasts)."""
    seen, ellipsis = {}, []
    for k, (s, t) in enumerate(zip(ins, operands)):
        if "." in s:
            start = s.index(".")
            covered = list(t._data.shape[start:start + t._data.ndim - (len(s) - 1)])
            m = builtins.max(len(ellipsis), len(covered))
            a, b = [1] * (m - len(ellipsis)) + ellipsis, [1] * (m - len(covered)) + covered
            for j, (p, q) in enumerate(zip(a, b)):
                if p != q and p != 1 and q != 1:
                    raise RuntimeError(f"einsum(): dimension {start + j - (m - len(covered))} covered by ellipsis in "
                                       f"operand {k}has size {q} which "
                                       f"does not broadcast with previously seen ellipsis with size {p} for the "
                                       f"respective dimension")
            ellipsis = [q if p == 1 else p for p, q in zip(a, b)]
        for c, n in _letter_sizes(s, t._data.shape, k).items():
            if c in seen and n != seen[c] and n != 1 and seen[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {seen[c]}")
            seen[c] = n if c not in seen or seen[c] == 1 else seen[c]


def _letter_sizes(s, shape, k):
    sizes = {}
    ell = len(shape) - (len(s) - 1) if "." in s else 0
    dims = iter(shape)
    for c in s:
        if c == ".":
            for _ in range(ell):
                next(dims)
            continue
        n = next(dims)
        if c in sizes and sizes[c] != n:
            raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                               f"{n} != {sizes[c]}")
        sizes[c] = n
    return sizes


def _einsum_row(node, order="C"):
    # (np.array: NumPy's einsum of one operand may return a view of it; the copy is laid out as PyTorch's
    # result: contiguous, except a permutation's, which keeps the permuted layout)
    return op(lambda xp, *xs, ins, rhs: np.array(xp.einsum(_eq(ins, rhs), *xs), order=order),
              vjp=lambda xp, g, xs, ins, rhs: _einsum_vjp(xp, g, xs, ins, rhs), node=node, multilinear=True)


def _einsum_row1(node, order="C"):
    # One operand: its gradient needs its shape only, and PyTorch saves no tensor (a second backward works).
    return op(lambda xp, x, *, ins, rhs: np.array(xp.einsum(_eq(ins, rhs), x), order=order),
              vjp=lambda xp, g, x_shape, ins, rhs: _einsum_grads(xp, g, [x_shape], [None], ins, rhs)[0], node=node)


# One rule; four rows only so that grad_fn carries PyTorch's name: PyTorch's einsum ends in a sum
# (one operand, some index summed), a permute (one operand), a mul (no index summed) or a view.
_einsum_sum, _einsum_permute = _einsum_row1("SumBackward1"), _einsum_row1("PermuteBackward0", order="K")
_einsum_mul, _einsum_view = _einsum_row("MulBackward0"), _einsum_row("ViewBackward0")


def einsum(equation, *operands):
    """Sums of products named by subscripts: `einsum('ij,jk->ik', a, b)` is a @ b.

    Supports '...', repeated subscripts within an operand (`'ii->i'` is the diagonal)
    and the implicit output (no '->': the subscripts seen once, in alphabetical order).
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' must be tuple of Tensors, not {type(t).__name__}")
    ins, rhs = _parse_einsum(equation, [t._data.ndim for t in operands])
    d = operands[0].dtype
    for t in operands[1:]:
        if t.dtype is not d:
            raise RuntimeError(f"expected scalar type {operands[0].dtype.type_name} but found {t.dtype.type_name}")
    _check_einsum_sizes(ins, operands)
    summed = builtins.any(c not in rhs for c in "".join(ins))
    ins, rhs = _spell_ellipses(ins, rhs, [t._data.ndim for t in operands])
    if len(operands) == 1:
        row = _einsum_sum if summed else _einsum_permute
    else:
        row = _einsum_view if summed else _einsum_mul
    try:
        return row(*operands, ins=tuple(ins), rhs=rhs)
    except ValueError as e:
        raise RuntimeError(f"einsum(): {e}") from None


def tensordot(a, b, dims=2, out=None):
    """Contract the last `dims` dims of a with the first of b, or the given pairs of dims."""
    if isinstance(dims, (builtins.int, np.integer)) and dims >= 0:  # (PyTorch's tensordot, in Python, asks
        for t in (a, b):                                             # a.dim() and b.dim() for an int dims)
            if not isinstance(t, Tensor):
                raise AttributeError(f"'{type(t).__name__}' object has no attribute 'dim'")
    _check("tensordot", a, b)
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (builtins.int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > builtins.min(na, nb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        ax_a, ax_b = list(range(-dims, 0)), list(range(dims))
    else:
        ax_a, ax_b = ([dims[0]] if isinstance(dims[0], builtins.int) else list(dims[0]),
                      [dims[1]] if isinstance(dims[1], builtins.int) else list(dims[1]))
        if len(ax_a) != len(ax_b):
            raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(ax_a, ax_b):
        s1, s2 = a._data.shape[_wrap_dim(i, na, scalar_ok=False)], b._data.shape[_wrap_dim(j, nb, scalar_ok=False)]
        # As in PyTorch, a contracted dim of size 1 broadcasts: the other operand is summed over it first.
        if s2 == 1 and s1 != 1:
            a = a.sum(i, keepdim=True)
        elif s1 == 1 and s2 != 1:
            b = b.sum(j, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {i} and "
                               f"second has size {s2} in dim {j}")
    ax_a = [_wrap_dim(d, na) for d in ax_a]
    ax_b = [_wrap_dim(d, nb) for d in ax_b]
    _same_dtype("tensordot", a, b)
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    rhs = "".join(c for k, c in enumerate(sa) if k not in ax_a) + "".join(c for k, c in enumerate(sb)
                                                                           if k not in ax_b)
    return write_out(_einsum_view(a, b, ins=("".join(sa), "".join(sb)), rhs=rhs), out)


def inner(input, other):
    """Sum over the last dims of both (a scalar times a tensor when either is 0-D)."""
    _check("inner", input, other)
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    return tensordot(input, other, ([-1], [-1]))


# -- diagonals and triangles -----------------------------------------------------------------------------
_trace = op(lambda xp, x: xp.asarray(xp.trace(x)),
            vjp=lambda xp, g, x_shape: g * xp.eye(x_shape[0], x_shape[1], dtype=g.dtype),
            node="TraceBackward0", linear=True)


def trace(input):
    """The sum of the main diagonal of a 2-D tensor."""
    if input._data.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input._data.ndim))
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return _trace(input)


def _diagonal_view(xp, x, *, offset, dim1, dim2):
    # NumPy's diagonal is a read-only view; PyTorch's can be written through, so build it from strides.
    d = xp.diagonal(x, offset, dim1, dim2)
    if not isinstance(x, np.ndarray) or not x.flags.writeable:
        return d
    start = [0] * x.ndim
    start[dim1 if offset < 0 else dim2] = builtins.abs(offset)
    strides = d.strides[:-1] + (x.strides[dim1] + x.strides[dim2],)
    return np.lib.stride_tricks.as_strided(x[tuple(slice(s, None) for s in start)], d.shape, strides)


_diagonal = op(_diagonal_view,
               vjp=lambda xp, g, x_shape, offset, dim1, dim2: xp.diagonal_embed_zeros(g, x_shape, offset, dim1, dim2),
               node="DiagonalBackward0", view=True, linear=True)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal at `offset` over dims dim1 and dim2 (a view), as the last dim."""
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _diagonal(input, offset=offset, dim1=d1, dim2=d2)


_diag_embed = op(lambda xp, x, *, offset, shape, dim1, dim2: xp.diagonal_embed_zeros(x, shape, offset, dim1, dim2),
                 vjp=lambda xp, g, offset, dim1, dim2: xp.diagonal(g, offset, dim1, dim2),
                 node="DiagEmbedBackward0", linear=True)


def diag(input, diagonal=0, *, out=None):
    """A 1-D tensor to a diagonal matrix, or a 2-D tensor to its diagonal."""
    n = input._data.ndim
    if n == 1:
        return write_out(diag_embed(input, diagonal), out)
    if n == 2:
        return write_out(_diagonal_copy(input, offset=diagonal, dim1=0, dim2=1), out)
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + str(n) + "D")


_diagonal_copy = op(lambda xp, x, *, offset, dim1, dim2: xp.diagonal(x, offset, dim1, dim2).copy(),
                    vjp=lambda xp, g, x_shape, offset, dim1, dim2:
                    xp.diagonal_embed_zeros(g, x_shape, offset, dim1, dim2),
                    node="DiagonalBackward0_copy", linear=True)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Each last-dim vector of input as the diagonal (at `offset`) of a matrix over dims dim1, dim2 of the result."""
    n = input._data.ndim + 1
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = (input._data.shape[-1] if input._data.ndim else 1) + builtins.abs(offset)
    batch = list(input._data.shape[:-1])
    shape = []
    for k in range(n):
        shape.append(m if k in (d1, d2) else batch.pop(0))
    x = input if input._data.ndim else input.reshape(1)
    return _diag_embed(x, offset=offset, shape=tuple(shape), dim1=d1, dim2=d2)


_tril = op(lambda xp, x, *, diagonal: xp.tril(x, diagonal), vjp=lambda xp, g, diagonal: xp.tril(g, diagonal),
           node="TrilBackward0", linear=True)
_triu = op(lambda xp, x, *, diagonal: xp.triu(x, diagonal), vjp=lambda xp, g, diagonal: xp.triu(g, diagonal),
           node="TriuBackward0", linear=True)


def tril(input, diagonal=0, *, out=None):
    """The lower triangle (at and below `diagonal`), zeros elsewhere."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return write_out(_tril(input, diagonal=diagonal), out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle (at and above `diagonal`), zeros elsewhere."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return write_out(_triu(input, diagonal=diagonal), out)


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
                           f"{A.dtype.type_name}")


def _no_half(name, A):
    """PyTorch's refusal of float16 by routines of LAPACK's, which has none (NumPy's would be a TypeError)."""
    if A._data.dtype == np.float16:
        if name in ("det", "solve"):  # PyTorch's LU kernel has no float16 version
            if A._data.size:
                raise NotImplementedError(""""lu_cpu" not implemented for 'Half'""")
        else:
            raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")


def _det_vjp(xp, g, x, out):
    # d det(A) / dA = adj(A)^T, which exists for singular A too. (out named: PyTorch's node saves it.)
    if 0 in x.shape:
        return xp.zeros_like(x)  # (no matrices: zeros that depend on nothing, as PyTorch's)
    return xp.expand_dims(xp.expand_dims(g, -1), -1) * xp.matrix_transpose(xp.adjugate(x))


_det = op(lambda xp, x: xp.asarray(xp.linalg.det(x if x.dtype != np.float16 else x.astype(np.float32)), x.dtype),
          vjp=_det_vjp, node="LinalgDetBackward0")


def det(A, *, out=None):
    """The determinant of a square matrix (or of each in a batch)."""
    _square("det", A)
    _no_half("det", A)
    return write_out(_det(A), out)


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix): torch.linalg.LinAlgError."""


def _singular(a):
    """(batch position, 1-based pivot) of the first matrix of `a` whose LU factorisation meets a zero pivot.

    LAPACK's getrf (which PyTorch and NumPy use) stops at the first exactly-zero pivot
    of elimination with partial pivoting; this repeats it for PyTorch's messages.
    """
    mats = a.reshape((-1,) + a.shape[-2:])
    for b, m in enumerate(mats):
        u = np.array(m)
        n = u.shape[0]
        for k in range(n):
            p = k + int(np.argmax(np.abs(u[k:, k])))
            if u[p, k] == 0:
                return b, k + 1
            u[[k, p]] = u[[p, k]]
            u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return 0, a.shape[-1]


def _batch_prefix(a, b):
    return f"(Batch element {b}): " if a.ndim > 2 else ""


def _lapack_layout(xp, r):
    """`r` laid out as LAPACK returns it, and PyTorch with it: each matrix column-major."""
    return xp.swapaxes(xp.asarray(xp.swapaxes(r, -1, -2), order="C"), -1, -2) if r.ndim >= 2 else r


def _inv_forward(xp, x):
    try:
        return _lapack_layout(xp, xp.linalg.inv(x))
    except np.linalg.LinAlgError:
        b, k = _singular(x)
        raise LinAlgError(f"linalg.inv: {_batch_prefix(x, b)}The diagonal element {k} is zero, the inversion could "
                          f"not be completed because the input matrix is singular.") from None


_inv = op(_inv_forward,
          vjp=lambda xp, g, out: -xp.matmul(xp.matrix_transpose(out), xp.matmul(g, xp.matrix_transpose(out))),
          node="LinalgInvExBackward0")


def inv(A, *, out=None):
    """The inverse of a square matrix; RuntimeError when it is singular."""
    _square("inv", A)
    _no_half("linalg.inv", A)
    return write_out(_inv(A), out)


def _solve_forward(xp, a, b, *, vector):
    try:
        if vector:
            return _lapack_layout(xp, xp.squeeze(xp.linalg.solve(a, xp.expand_dims(b, -1)), axis=-1))
        return _lapack_layout(xp, xp.linalg.solve(a, b))
    except np.linalg.LinAlgError:
        prefix = _batch_prefix(a, _singular(a)[0])
        raise LinAlgError(f"torch.linalg.solve: {prefix}The solver failed because the input matrix is singular."
                          ) from None


def _solve_vjp_b(xp, g, a, out, vector):
    # (out named: PyTorch's one formula for both inputs saves the result whichever needs a gradient)
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
    for name, position, t in (("A", 1, A), ("B", 2, B)):
        if not isinstance(t, Tensor):
            raise TypeError(f"linalg_solve(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    if not left:
        return solve(A.mT, B.mT).mT
    _square("solve", A)
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and B._data.shape == A._data.shape[:-1])
    if not vector and B._data.ndim < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    n = A._data.shape[-1]
    if (B._data.shape[-1] if vector else B._data.shape[-2]) != n:
        b = f"{B._data.shape[-1]}x1" if vector else "x".join(map(str, B._data.shape[-2:]))
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({A._data.shape[-2]}x{n} and {b})")
    broadcast_shape(B._data.shape[:-1] if vector else B._data.shape[:-2], A._data.shape[:-2])
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype.type_name} and B of type {B.dtype.type_name} instead")
    _no_half("solve", A)
    return _solve(A, B, vector=vector)


def _slogdet_forward(xp, x):
    sign, logabsdet = xp.linalg.slogdet(x)
    return xp.asarray(sign, x.dtype), xp.asarray(logabsdet, x.dtype)


def _slogdet_vjp(xp, g, x):
    # d log|det A| / dA = A^-T; the sign is piecewise constant.
    g_logabsdet = g[1] if isinstance(g, (tuple, list)) else None
    if g_logabsdet is None:
        return None
    eye = xp.broadcast_to(xp.eye(x.shape[-1], dtype=x.dtype), x.shape)
    try:
        inv_t = xp.linalg_solve(xp.matrix_transpose(x), eye)
    except (np.linalg.LinAlgError, LinAlgError):
        # A singular A: adj(A)^T / det(A), infinite or NaN as PyTorch's gradient is there (no error)
        with np.errstate(divide="ignore", invalid="ignore"):
            det = xp.expand_dims(xp.expand_dims(xp.asarray(np.linalg.det(np.asarray(x))), -1), -1)
            inv_t = xp.matrix_transpose(xp.adjugate(x)) / det
    return xp.expand_dims(xp.expand_dims(g_logabsdet, -1), -1) * inv_t


_slogdet = op(_slogdet_forward, vjp=_slogdet_vjp, node="LinalgSlogdetBackward0", n_outputs=2)


def slogdet(A, *, out=None):
    """(sign, log|det|) of a square matrix (or of each in a batch)."""
    _square("slogdet", A)
    _no_half("linalg.slogdet", A)
    return write_out(make_return_type("linalg_slogdet", ("sign", "logabsdet"))(_slogdet(A)), out)


def _cross(xp, a, b, dim):
    i1, i2 = [1, 2, 0], [2, 0, 1]
    return (xp.take(a, i1, axis=dim) * xp.take(b, i2, axis=dim) -
            xp.take(a, i2, axis=dim) * xp.take(b, i1, axis=dim))


_cross_op = op(lambda xp, x, y, *, dim: _cross(xp, x, y, dim),
               vjp=(lambda xp, g, y, dim: _cross(xp, y, g, dim), lambda xp, g, x, dim: _cross(xp, g, x, dim)),
               node="LinalgCrossBackward0", broadcasts=True)


def cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along dim (the other dims broadcast)."""
    _check("linalg.cross", input, other)
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input._data.shape[d]} "
                           f"and {other._data.shape[d]}")
    broadcast_shape(input._data.shape, other._data.shape)
    _same_dtype("cross", input, other)
    return write_out(_cross_op(input, other, dim=d), out)


def matrix_norm(input, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The Frobenius norm ('fro', default) or the nuclear norm ('nuc') over two dims."""
    A = input
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got "
                           f"{A.dtype.type_name}")
    if ord == "fro":
        return write_out(_vector_norm(A, 2, dim, keepdim, dtype=dtype), out)
    if ord == "nuc":
        raise NotImplementedError("linalg.matrix_norm(ord='nuc') needs an SVD with gradients; not yet in dxdy")
    if ord in (1, -1, float("inf"), float("-inf")):
        # The largest (smallest) absolute column sum for +-1, row sum for +-inf.
        d0, d1 = (_wrap_dim(d, A._data.ndim) for d in dim)
        if ord in (float("inf"), float("-inf")):
            d0, d1 = d1, d0
        if not keepdim and d0 < d1:
            d1 -= 1
        s = _sum(A.abs(), d0, keepdim=keepdim)
        if ord > 0 and s._data.shape[d1] == 0:
            # The largest of no sums: PyTorch gives zeros, outside the graph (the smallest is an error).
            shape = s._data.shape[:d1] + ((1,) if keepdim else ()) + s._data.shape[d1 + 1:]
            return write_out(wrap(np.zeros(shape, s._data.dtype)), out)
        return write_out((_amax if ord > 0 else _amin)(s, d1, keepdim=keepdim), out)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


# -- torch.cross, logdet, diagflat, tril_indices / triu_indices, cdist ------------------------------------
def torch_cross(input, other, dim=None, *, out=None):
    """torch.cross: linalg.cross, except that with no dim it takes the first dim of size 3 (deprecated)."""
    if dim is None:
        warn_once("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                  "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                  "with that of linalg.cross in a future release.")
        _check("cross", input, other)
        dim = next((k for k, n in enumerate(input._data.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.type_name} but found {other.dtype.type_name}")
    return write_out(cross(input, other, dim=dim), out)


# torch.det, torch.inverse and torch.slogdet are linalg's, with PyTorch's name `input` for the matrix (not A)
def torch_det(input):
    return det(input)


def torch_inverse(input, *, out=None):
    return inv(input, out=out)


def torch_slogdet(input, *, out=None):
    return slogdet(input, out=out)


def logdet(input):
    """log(det(input)): NaN where the determinant is negative, -inf where it is 0."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"logdet: Expected a floating point or complex tensor as input. Got {input.dtype.type_name}")
    if input._data.ndim < 2:
        raise RuntimeError("logdet: The input tensor A must have at least 2 dimensions.")
    if input._data.shape[-1] != input._data.shape[-2]:
        raise RuntimeError(f"logdet: A must be batches of square matrices, but they are {input._data.shape[-2]} by "
                           f"{input._data.shape[-1]} matrices")
    _no_half("logdet", input)
    sign, logabsdet = slogdet(input)
    return _where(sign < 0, math.nan, logabsdet)


def diagflat(input, offset=0):
    """A matrix with the elements of input (flattened) on its diagonal at `offset`."""
    return diag_embed(input.reshape(-1), offset)


def _indices_of(name, row, col, offset, dtype, upper):
    d = _dt.int64 if dtype is None else dtype
    if d.np.kind not in "iu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{d.type_name}'")
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    r, c = np.triu_indices(row, offset, col) if upper else np.tril_indices(row, offset, col)
    return wrap(np.stack([r, c]).astype(d.np).reshape(2, -1))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False, requires_grad=False):
    """The (row, col) indices of the lower triangle of a row x col matrix (at and below `offset`), in a 2 x N
    tensor, row by row."""
    check_on_cpu(device)
    return _finish(_indices_of("tril_indices", row, col, offset, dtype, False), requires_grad, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False, requires_grad=False):
    """The (row, col) indices of the upper triangle of a row x col matrix (at and above `offset`)."""
    check_on_cpu(device)
    return _finish(_indices_of("triu_indices", row, col, offset, dtype, True), requires_grad, "triu_indices")


def _cdist_forward(xp, x, y, *, p):
    diff = xp.expand_dims(x, -2) - xp.expand_dims(y, -3)
    a = xp.abs(diff)
    if p == 0:
        return xp.sum(a != 0, axis=-1).astype(x.dtype)
    if p == math.inf:
        return xp.max(a, axis=-1, initial=0).astype(x.dtype, copy=False)
    if p == 1:
        return xp.sum(a, axis=-1)
    if p == 2:
        return xp.sqrt(xp.sum(a * a, axis=-1))
    return xp.sum(a ** p, axis=-1) ** (1.0 / p)


def _cdist_pair_grad(xp, g, x, y, out, p):
    """d out / d diff, times g, for every pair: shape (..., P, R, M)."""
    diff = xp.expand_dims(x, -2) - xp.expand_dims(y, -3)
    gd = xp.expand_dims(g, -1)
    dist = xp.expand_dims(out, -1)
    if p == 0:
        return diff * 0
    if p == 1:
        return gd * xp.sign(diff)
    if p == math.inf:
        a = xp.abs(diff)
        return xp.where(a == dist, gd * xp.sign(diff), 0.0)
    safe = xp.where(dist == 0, 1.0, dist)
    if p == 2:
        return xp.where(dist == 0, 0.0, gd * diff / safe)
    a = xp.abs(diff)
    if p < 1:
        a = xp.where(a == 0, 1.0, a)
    share = xp.sign(diff) * a ** (p - 1) / safe ** (p - 1)
    return xp.where(dist == 0, 0.0, gd * share)


_cdist = op(_cdist_forward,
            vjp=(lambda xp, g, x, y, out, p: xp.sum_to_size(xp.sum(_cdist_pair_grad(xp, g, x, y, out, p), axis=-2),
                                                            x.shape),
                 lambda xp, g, x, y, out, p: xp.sum_to_size(-xp.sum(_cdist_pair_grad(xp, g, x, y, out, p), axis=-3),
                                                            y.shape)),
            node="CdistBackward0")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 and each row of x2 (batch dims broadcast): (..., P, R)."""
    for k, t in ((1, x1), (2, x2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"cdist(): argument 'x{k}' (position {k}) must be Tensor, not {type(t).__name__}")
    for k, t in ((1, x1), (2, x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, X{k} got: {t._data.ndim}D")
    for k, t in ((1, x1), (2, x2)):
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, X{k} got: {t.dtype.type_name}")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1._data.shape[-1]} "
                           f"X2: {x2._data.shape[-1]}")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"expected scalar type {x1.dtype.type_name} but found {x2.dtype.type_name}")
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    broadcast_shape(x1._data.shape[:-2], x2._data.shape[:-2])
    return _cdist(x1, x2, p=float(p))


name_ops(globals())

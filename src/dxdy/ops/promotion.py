"""Type promotion and broadcasting of an op's operands, as PyTorch does them.

NOTE [Operand promotion]
An op's forward sees its operands in PyTorch's result dtype (dtypes.result_type_of:
tensors with dims over 0-d tensors over Python numbers, a higher category always
winning), never in NumPy's. A Python number stays a Python number where NumPy then
gives the same dtype (a float tensor and 2.5), and takes part as PyTorch's wrapped
scalar: it never raises a tensor's dtype within its category, and an int outside an
int tensor's range wraps modulo 2**bits as PyTorch casts it. A tensor cast to the
result dtype shares its input's version counter, so that changing the input in
place still fails the backward that saved the cast. Shapes that do not broadcast
raise PyTorch's RuntimeError, naming the first dim that differs.
"""
import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, TensorExtras, wrap, version_counter

_int, _float, _bool = int, float, bool


_SCALARS = (_int, _float, _bool, np.number, np.bool_)


def _operands(op, x, y, promote):
    """Arrays for x and y in PyTorch's result dtype (Python scalars stay scalars when NumPy agrees)."""
    x_is_t = isinstance(x, Tensor)
    y_is_t = isinstance(y, Tensor)
    if x_is_t and y_is_t:
        xa, ya = x._data, y._data
        if xa.dtype != ya.dtype:
            d = _dt.result_type_of(
                [_dt.from_numpy(a.dtype) for a in (xa, ya) if a.ndim],
                [_dt.from_numpy(a.dtype) for a in (xa, ya) if not a.ndim], ()).np
            xa, ya = xa.astype(d, copy=False), ya.astype(d, copy=False)
    elif x_is_t:
        xa, ya = _with_scalar(x._data, _scalar(op, y, "other", 2))
    elif y_is_t:
        ya, xa = _with_scalar(y._data, _scalar(op, x, "input", 1))
    else:
        raise TypeError(f"{op.__name__}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    if promote is not None:
        a = xa if x_is_t else ya
        d = promote(a.dtype)
        if d is not None:  # a number then meets the promoted dtype as it is (not wrapped to the tensor's)
            xa = xa.astype(d) if x_is_t else x
            ya = ya.astype(d) if y_is_t else y
    return xa, ya, x_is_t, y_is_t


def _scalar(op, v, name, position):
    if isinstance(v, _SCALARS):
        return v.item() if isinstance(v, np.generic) else v  # NumPy scalars count as Python numbers
    if isinstance(v, np.ndarray):
        raise TypeError(f"{op.__name__}(): expected a Tensor or a number, got numpy.ndarray "
                        f"(wrap it with dxdy.from_numpy or dxdy.tensor)")
    raise TypeError(f"{op.__name__}(): argument '{name}' (position {position}) must be Tensor, "
                    f"not {type(v).__name__}")


def _with_scalar(a, s):
    """The tensor's array and the Python scalar `s`, as PyTorch combines them.

    A scalar of a higher category lifts the result dtype (an int tensor and a float
    give the default float dtype); an int scalar outside an int tensor's range wraps
    around to that dtype, as PyTorch casts it, where NumPy would refuse it.
    """
    kind = a.dtype.kind
    if kind == "f":
        return a, s
    if isinstance(s, (_float, np.floating)):
        return a.astype(_dt.get_default_dtype().np), s
    if isinstance(s, (_int, np.integer)) and not isinstance(s, (_bool, np.bool_)):
        if kind == "b":
            return a.astype(np.int64), s
        return a, wrap_int(s, a.dtype)
    return a, s


def wrap_int(s, dtype):
    """The Python int `s` cast to the integer `dtype` as PyTorch casts a scalar: modulo 2**bits."""
    info = np.iinfo(dtype)
    if info.min <= s <= info.max:
        return s
    return int(np.asarray(s, np.int64).astype(dtype))


def check_broadcast(*arrays):
    """Raise PyTorch's RuntimeError when the shapes of `arrays` do not broadcast together."""
    broadcast_shape(*(np.shape(a) for a in arrays))


def broadcast_shape(*shapes):
    """The shape `shapes` broadcast to; PyTorch's RuntimeError (naming the first mismatch) when they do not."""
    shape = ()
    for s in shapes:
        s = tuple(s)
        n = max(len(shape), len(s))
        p, q = (1,) * (n - len(shape)) + shape, (1,) * (n - len(s)) + s
        for i in range(n - 1, -1, -1):
            if p[i] != q[i] and p[i] != 1 and q[i] != 1:
                raise RuntimeError(f"The size of tensor a ({p[i]}) must match the size of tensor b ({q[i]}) "
                                   f"at non-singleton dimension {i}")
        shape = tuple(max(u, v) if u != 0 and v != 0 else 0 for u, v in zip(p, q))
    return shape


def as_operands(x, y):
    """Two operands (tensors or Python scalars) as tensors of PyTorch's result dtype.

    For ops without a scalar fast path; a tensor that must change dtype is cast
    with a differentiable `to`.
    """
    xt, yt = isinstance(x, Tensor), isinstance(y, Tensor)
    if not xt and not yt:
        raise TypeError(f"expected at least one Tensor, got {type(x).__name__} and {type(y).__name__}")
    dims = [t.dtype for t in (x, y) if isinstance(t, Tensor) and t._data.ndim]
    zero_dims = [t.dtype for t in (x, y) if isinstance(t, Tensor) and not t._data.ndim]
    scalars = [_dt.scalar_dtype(v) for v in (x, y) if not isinstance(v, Tensor)]
    d = _dt.result_type_of(dims, zero_dims, scalars)
    return tuple(_as_dtype(v, d) for v in (x, y))


def _as_dtype(v, d):
    if isinstance(v, Tensor):
        if v._data.dtype == d.np:
            return v
        # The op saves this cast where PyTorch saves v itself: sharing v's version counter lets a later
        # in-place change of v fail backward as it does there. (The cast never leaves the op.)
        cast = v.to(d)
        cast._vc = version_counter(v)
        cast._extra = TensorExtras(cast_of=v)  # for the error's text, which names v
        return cast
    if d.np.kind in "iu" and isinstance(v, (_int, np.integer)):
        v = wrap_int(v, d.np)
    return wrap(np.asarray(v, d.np))

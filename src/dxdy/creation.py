"""Making tensors: from data, filled, ranges, and random.

Random numbers come from one seeded NumPy generator of dxdy's own:
`manual_seed(s)` makes runs reproducible, but the stream is not PyTorch's.
"""
import builtins
import functools
import math
import operator
import struct
import sys
import warnings

import numpy as np

from . import dtypes as _dt
from .dtypes import type_name
from .tensor import Tensor, wrap, check_on_cpu, allocation_error


def write_out(result, out):
    # Factories take out= as PyTorch's do (ops/out.py writes it; imported late: ops imports this module).
    if out is None:
        return result
    from .ops.out import write_out as write
    return write(result, out, sys._getframe(1).f_code.co_name)


# -- checking arguments (PyTorch's argument parser: its exception types and first lines) ------------------
def _is_number(v):
    return isinstance(v, (builtins.int, builtins.float, np.number, np.bool_)) and not isinstance(v, complex)


def number_arg(fn, name, position, v):
    """A Number argument: Python and NumPy numbers, and one-element tensors, as PyTorch's parser takes them."""
    if v.__class__ is builtins.float or v.__class__ is builtins.int:  # (the common case, checked first)
        return v
    if isinstance(v, Tensor) and v._data.size == 1 and v._data.ndim == 0:
        return v.item()
    if not _is_number(v):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Number, not {type_name(v)}")
    return v.item() if isinstance(v, np.generic) else v


def dtype_arg(fn, dtype):
    """A `dtype=` argument as a dxdy dtype (None stays None).

    As in PyTorch, a dtype or one of Python's float, int and bool: not a string, a number, or a
    NumPy type (PyTorch refuses those too). dxdy has no complex dtypes.
    """
    if dtype is None or dtype.__class__ is _dt.dtype:
        return dtype
    if dtype is builtins.float or dtype is builtins.int or dtype is builtins.bool:
        return _dt.to_dtype(dtype)
    if dtype is complex:
        raise TypeError(f"{fn}(): dxdy has no complex dtypes (got dtype=complex)")
    raise TypeError(f"{fn}(): argument 'dtype' must be dxdy.dtype, not {type_name(dtype)}")


def _flag(fn, name, value, none_ok=True):
    if value.__class__ is not builtins.bool and not (none_ok and value is None):
        raise TypeError(f"{fn}(): argument '{name}' must be bool, not {type_name(value)}")
    return builtins.bool(value)


def _finish(t, requires_grad, fn="tensor"):
    if requires_grad is False:  # (the common case, checked first)
        return t
    if _flag(fn, "requires_grad", requires_grad, none_ok=fn != "tensor"):
        if t._data.dtype.kind != "f":  # the factories' wording differs from requires_grad_'s, as in PyTorch
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad_(True)
    return t


def _made(a, fn, requires_grad, out):
    """Factory `fn`'s tensor over the new array `a`, with its requires_grad= and out= (left at their defaults,
    they cost a test each)."""
    t = wrap(a)
    if requires_grad is not False:
        _finish(t, requires_grad, fn)
    if out is None:
        return t
    from .ops._op import write_out as write  # (as write_out's, named for fn: write_out names its caller)
    return write(t, out, fn)


def _tensor_arg(fn, v, name="input", position=1):
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type_name(v)}")
    return v


def _np_dtype(dtype):
    return None if dtype is None else _dt.to_dtype(dtype).np


def _numpy_dtype(np_dtype):
    """The dxdy dtype of a NumPy array's dtype, or PyTorch's TypeError naming it."""
    try:
        return _dt.from_numpy(np_dtype)
    except TypeError:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
                        f"supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, and "
                        f"bool.") from None


# -- from data ------------------------------------------------------------------------
#
# NOTE [Tensors from data]
# As PyTorch's tensor_new.cpp: (1) the shape is read off the first element at each depth
# (a string there: "too many dimensions"); (2) without dtype=, the dtype is inferred from
# every element (Python floats give the default dtype, ints int64, bools bool; NumPy
# scalars and arrays and tensors their own dtype; anything else is refused); (3) the
# elements are stored, each sequence checked against the shape, each leaf converted to
# the dtype as a number (a tensor of one element gives its item). A tensor inside a list
# is a number, not a sequence; a NumPy array is a sequence. With no elements at all,
# step (3) is skipped, as in PyTorch ([[], [1]] is a 2 x 0 tensor).

_PYTHON_SCALARS = frozenset((builtins.bool, builtins.int, builtins.float))


def _is_sequence(obj):
    # Python's sequence protocol, as PySequence_Check sees it: not dicts, tensors or NumPy scalars.
    if builtins.type(obj) in _PYTHON_SCALARS:  # (the common case, checked first)
        return False
    if isinstance(obj, (list, tuple, np.ndarray, builtins.range, str, bytes, bytearray)):
        return True
    if isinstance(obj, (Tensor, dict, np.generic)):
        return False
    return hasattr(builtins.type(obj), "__getitem__") and hasattr(builtins.type(obj), "__len__")


def _sizes(data):
    sizes = []
    seq = data
    while _is_sequence(seq):
        if isinstance(seq, str) and len(seq) and sizes:  # "a"[0] is "a": PyTorch gives up after its max dims
            raise ValueError("too many dimensions 'str'")
        n = len(seq)
        sizes.append(n)
        if n == 0:
            break
        seq = seq[0]
    return sizes


_NUMPY_SCALAR_DTYPES = {np.dtype(d.np).type: d for d in _dt.ALL}


def _infer_dtype(obj):
    """PyTorch's infer_scalar_type: the dtype of nested data, promoted over all its elements."""
    if obj.__class__ is list or obj.__class__ is tuple:  # (the common case, checked first)
        return _infer_items_dtype(obj)
    if isinstance(obj, np.generic):  # before Python's float: np.float64 is one, and keeps its dtype
        d = _NUMPY_SCALAR_DTYPES.get(builtins.type(obj))
        if d is None:
            _numpy_dtype(obj.dtype)
        return d
    if isinstance(obj, builtins.float):
        return _dt.get_default_dtype()
    if isinstance(obj, builtins.bool):
        return _dt.bool
    if isinstance(obj, builtins.int):
        return _dt.int64
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type_name(obj)}'")
    if isinstance(obj, np.ndarray):
        return _numpy_dtype(obj.dtype)
    if _is_sequence(obj):
        return _infer_items_dtype(obj)
    raise RuntimeError(f"Could not infer dtype of {type_name(obj)}")


def _infer_items_dtype(seq):
    """The dtype of a sequence's items, promoted (the default dtype for none)."""
    if len(seq) == 0:
        return _dt.get_default_dtype()
    if seq.__class__ is list or seq.__class__ is tuple:  # Python numbers only, the common case, at once:
        kinds = set(map(builtins.type, seq))  # promoted, they give bool < int64 < the default float
        if kinds <= _PYTHON_SCALARS:
            return _dt.get_default_dtype() if builtins.float in kinds else _dt.int64 if builtins.int in kinds \
                else _dt.bool
    d = None
    for item in seq:
        k = _infer_dtype(item)
        d = k if d is None or d is k else _dt.promote_types(d, k)
    return d


def _store(obj, sizes, dim, convert, out):
    if dim == len(sizes):
        out.append(convert(obj))
        return
    if not _is_sequence(obj):
        raise TypeError("not a sequence")
    n = len(obj)
    if n != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {n})")
    if isinstance(obj, np.ndarray) and obj.shape == tuple(sizes[dim:]):
        out.extend(convert(v) for v in obj.ravel().tolist())
        return
    if dim == len(sizes) - 1:  # (each item a leaf)
        out.extend(map(convert, obj))
        return
    for item in obj:
        _store(item, sizes, dim + 1, convert, out)


def _one_element(t):
    if t._data.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return t._data.reshape(()).item()


def _as_float(v):
    if v.__class__ is builtins.float or v.__class__ is builtins.int or v.__class__ is builtins.bool:
        return v
    if isinstance(v, Tensor):
        return _one_element(v)
    t = builtins.type(v)
    if isinstance(v, complex) or not (hasattr(t, "__float__") or hasattr(t, "__index__")):
        raise TypeError(f"must be real number, not {type_name(v)}")
    return builtins.float(v)


def _as_bool(v):
    if isinstance(v, Tensor):
        v = _one_element(v)
    return builtins.bool(_as_float(v))


@functools.cache  # (one per dtype)
def _integer_converter(d):
    info = np.iinfo(d.np)
    unsigned = info.min == 0
    lo, hi = builtins.int(info.min), builtins.int(info.max)

    def convert(v):
        if v.__class__ is builtins.int and lo <= v <= hi:  # (the common case, checked first)
            return v
        if isinstance(v, Tensor) and v._data.dtype.kind in "iub":
            v = v.__index__()
        if isinstance(v, builtins.float):  # a Python float (or np.float64): checked as a double against the
            if not builtins.float(info.min) <= v <= builtins.float(info.max):  # dtype's range (NaN fails), truncated
                raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
            v = builtins.int(v)
            return v if v <= info.max else info.min  # (int64's max is 2**63 as a double: C's cast wraps it)
        else:
            v = operator.index(v)  # "'X' object cannot be interpreted as an integer"
            if not -2 ** 63 <= v < 2 ** 63:
                raise ValueError("Overflow when unpacking long long")
        if unsigned and -info.max <= v < 0:  # PyTorch takes -1 as 255 for uint8
            return v & info.max
        if not info.min <= v <= info.max:
            raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
        return v
    return convert


def _array_of(values, d):
    """np.array(values, d.np) for a list of Python numbers; a float beyond float16's or float32's range becomes
    inf silently, as in PyTorch (NumPy would warn; np.errstate costs more than the array, so only then)."""
    if d.itemsize < 8 and d.is_floating_point and values:
        if not builtins.max(map(abs, values)) <= _C_TYPES[d.np.type][2]:  # (NaN too)
            with np.errstate(over="ignore"):
                return np.array(values, d.np)
    return np.array(values, d.np)


def _from_data(data, d):
    """A new array of nested data (not a tensor or ndarray), in dtype `d` (None: infer it). NOTE [Tensors from data]"""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type_name(data)}'")
    sizes = _sizes(data)
    if d is None:
        d = _infer_dtype(data)
    if math.prod(sizes) == 0:
        return np.zeros(sizes, d.np)
    convert = _as_float if d.is_floating_point else _as_bool if d is _dt.bool else _integer_converter(d)
    flat = []
    _store(data, sizes, 0, convert, flat)
    a = _array_of(flat, d)
    return a if len(sizes) == 1 else a.reshape(sizes)


def _to_array(data, dtype):
    """An array of `data` (numbers, nested sequences, arrays, tensors) in PyTorch's dtype (a dxdy dtype or None)."""
    if isinstance(data, Tensor):
        a = data._data
    elif isinstance(data, np.ndarray):
        a = data
        _numpy_dtype(a.dtype)
    else:
        return _from_data(data, dtype)
    if dtype is not None:
        a = a.astype(dtype.np)
    return a


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data`, with PyTorch's dtype inference (NOTE [Tensors from data]).

    >>> dxdy.tensor([1, 2, 3]).dtype, dxdy.tensor([1.0, 2]).dtype
    (dxdy.int64, dxdy.float32)
    """
    d = dtype_arg("tensor", dtype)
    _flag("tensor", "requires_grad", requires_grad, none_ok=False)
    check_on_cpu(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
                      "or sourceTensor.clone().detach().requires_grad_(True), rather than "
                      "dxdy.tensor(sourceTensor).", UserWarning, stacklevel=2)
    a = _to_array(data, d)
    if isinstance(data, (Tensor, np.ndarray)):  # (their memory; an array made from other data is new)
        a = np.array(a, copy=True)
    return _finish(wrap(a), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """A tensor over `data`, sharing memory with a NumPy array or tensor when the dtype allows."""
    d = dtype_arg("as_tensor", dtype)
    check_on_cpu(device)
    if isinstance(data, Tensor):
        return data if d is None or data.dtype is d else data.to(d)
    if isinstance(data, np.ndarray):
        _numpy_dtype(data.dtype)
        return wrap(data if d is None else data.astype(d.np, copy=False))
    return wrap(_to_array(data, d))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """A tensor over `obj` (as_tensor); `copy=True` copies even where memory could be shared."""
    t = as_tensor(obj, dtype, device)
    if copy and (t is obj or isinstance(obj, np.ndarray) and np.shares_memory(t._data, obj)):
        t = t.clone()
    return _finish(t, requires_grad, "asarray")


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array (writes through either show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type_name(ndarray)})")
    _numpy_dtype(ndarray.dtype)
    return wrap(ndarray)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    d = dtype_arg("scalar_tensor", dtype) or _dt.get_default_dtype()
    check_on_cpu(device)
    s = checked_fill(number_arg("scalar_tensor", "s", 1, s), d.np, 1)
    return _finish(wrap(np.array(s, d.np)), requires_grad, "scalar_tensor")


# Each type as PyTorch's messages name it (C++), with its range and the bits of its significand (0 for integers).
_C_TYPES = {t: (name, lo, hi, bits) for t, name, lo, hi, bits in [
    (np.int8, "int8_t", -2 ** 7, 2 ** 7 - 1, 0), (np.uint8, "uint8_t", 0, 2 ** 8 - 1, 0),
    (np.int16, "int16_t", -2 ** 15, 2 ** 15 - 1, 0), (np.int32, "int", -2 ** 31, 2 ** 31 - 1, 0),
    (np.int64, "int64_t", -2 ** 63, 2 ** 63 - 1, 0), (np.float16, "c10::Half", -65504.0, 65504.0, 11),
    (np.float32, "float", -3.4028234663852886e38, 3.4028234663852886e38, 24),
    (np.float64, "double", -1.7976931348623157e308, 1.7976931348623157e308, 53)]}
_FLOAT32_MAX = _C_TYPES[np.float32][2]


def scalar_bits(value):
    """A number as PyTorch's argument parser reads a Scalar: an int must fit in 64 bits (OverflowError)."""
    if value.__class__ is builtins.float or value.__class__ is builtins.int and -2 ** 63 <= value < 2 ** 64:
        return value  # (the common cases, checked first)
    if isinstance(value, (builtins.int, np.integer)) and not isinstance(value, (builtins.bool, np.bool_)):
        value = builtins.int(value)
        if value >= 2 ** 64:
            raise OverflowError("int too big to convert")
        if value < -2 ** 63:
            raise OverflowError("can't convert negative int to unsigned")
    return value


def checked_fill(value, dtype, count=None):
    """A fill value (a Python or NumPy number) for NumPy `dtype`, as PyTorch converts it: OverflowError for an
    int past 64 bits; RuntimeError where the value overflows the dtype (NaN or a float out of an integer dtype's
    range, a finite float past a float dtype's largest); a negative int wraps into an unsigned dtype.

    `count`: the number of elements filled. PyTorch fills a float16 tensor of one element unchecked (the value
    rounds, to inf past the largest)."""
    value = scalar_bits(value)
    kind = dtype.kind
    if kind == "f" and value.__class__ is builtins.float and (dtype.itemsize == 8 or dtype.itemsize == 4 and
                                                              -_FLOAT32_MAX <= value <= _FLOAT32_MAX):
        return value  # (the common case, checked first)
    if kind == "b":
        return builtins.bool(value)
    if kind == "f" and dtype.itemsize == 2 and count == 1:
        return value
    name, lo, hi, _ = _C_TYPES[dtype.type]
    if kind == "f":
        if dtype.itemsize < 8 and math.isfinite(value) and abs(value) > hi:
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        return value
    if isinstance(value, (builtins.float, np.floating)):
        over = not builtins.float(lo) <= value <= builtins.float(hi)  # (NaN too)
    else:
        value = builtins.int(value)
        over = value > hi or (-value > hi if lo == 0 else value < lo)
    if over:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return value & hi if lo == 0 and not isinstance(value, builtins.float) and value < 0 else value


# -- filled -------------------------------------------------------------------------------
# (Globals: builtins.int is two lookups, and this module's range is its own.)
_INT, _FLOAT, _RANGE, _MIN = builtins.int, builtins.float, builtins.range, builtins.min
_FLOAT32, _FLOAT64 = np.float32, np.float64


def _is_size_element(s):
    return (isinstance(s, (builtins.int, np.integer)) or
            isinstance(s, Tensor) and s._data.ndim == 0 and s._data.dtype.kind in "iu")


def _plain_shape(sizes):
    """`sizes` as a shape where they are Python ints in [0, 2 ** 63), which need no other check; else None."""
    for s in sizes:
        if s.__class__ is not builtins.int or not 0 <= s < 2 ** 63:
            return None
    return tuple(sizes)


def _size(size, fn="size", keyword=None):
    """The shape in `*size` (ints, or one sequence of them) or `size=`, refused as PyTorch's parser refuses it."""
    # The common case, checked first (as _plain_shape, written out): Python ints, or one tuple or list of them.
    if keyword is None:
        shape = size[0] if len(size) == 1 and size[0].__class__ in (tuple, list) else size
        for s in shape:
            if s.__class__ is not _INT or not 0 <= s < 2 ** 63:
                break
        else:
            return shape if shape.__class__ is tuple else tuple(shape)
    elif not size and keyword.__class__ in (tuple, list):  # (or given as `size=`)
        shape = _plain_shape(keyword)
        if shape is not None:
            return shape
    shape = _size_ints(size, fn, keyword)
    if fn == "zeros" and builtins.min(shape, default=0) < 0:  # (PyTorch's zeros words it its own way)
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return nonnegative_shape(shape)


def _size_ints(size, fn, keyword=None):
    """The ints of `*size` (or `size=`) as PyTorch's parser reads them (64 bits each), before any check of signs."""
    shape = int_tuple_arg(fn, "size", size, keyword)
    for k, s in enumerate(shape):
        if not -2 ** 63 <= s < 2 ** 63:
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {k + 1} with error "
                            f"\"Overflow when unpacking long long")  # (sic: PyTorch's message has no closing quote)
    return shape


def _allocate(make, shape, dtype, value=None):
    """make(shape, dtype), or make(shape, dtype, value) given a fill value: a new array, or PyTorch's RuntimeError
    where memory cannot hold it."""
    try:
        return make(shape, dtype) if value is None else make(shape, dtype, value)  # (cheaper than *args)
    except (MemoryError, ValueError):  # (NumPy's ValueError: "array is too big", past 2**63 bytes)
        error = allocation_error(shape, dtype)
    raise error


def nonnegative_shape(shape):
    """`shape`, or PyTorch's RuntimeError naming its first negative size."""
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def int_tuple_arg(fn, name, size, keyword=None):
    """The ints in `*size` (ints, or one tuple or list of them), or in `keyword`, the same sequence given by
    its name (`zeros(size=(2, 3))`, `x.view(size=(2, 3))`); else the TypeError PyTorch's parser gives."""
    if keyword is not None:
        if size:
            raise TypeError(f"{fn}() got multiple values for argument '{name}'")
        if not hasattr(keyword, "__len__") or isinstance(keyword, (str, Tensor)):
            raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not {type_name(keyword)}")
        size = (tuple(keyword),)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        elements, whole = tuple(size[0]), True
    elif len(size) > 1 and isinstance(size[0], (tuple, list)):
        raise TypeError(f"{fn}() takes 1 positional argument but {len(size)} were given")
    else:
        elements, whole = size, False
    for k, s in enumerate(elements):
        if _is_size_element(s) and not (not whole and len(size) == 1 and isinstance(s, builtins.bool)):
            continue
        if not whole and len(size) == 1:
            raise TypeError(f"{fn}(): argument '{name}' (position 1) must be tuple of ints, not {type_name(s)}")
        if k == 0 and not whole:
            raise TypeError(f"{fn}() takes 1 positional argument but {len(size)} were given")
        if k == 0:
            raise TypeError(f"{fn}(): argument '{name}' (position 1) must be tuple of ints, but found element of "
                            f"type {type_name(s)} at pos 0")
        raise TypeError(f"{fn}(): argument '{name}' failed to unpack the object at pos {k + 1} with error \"type "
                        f"must be tuple of ints,but got {type_name(s)}\"")
    return tuple(builtins.int(s) for s in elements)


def _ones(shape, dtype):
    a = np.empty(shape, dtype)
    a.fill(1)  # (np.ones does the same, through more Python)
    return a


def _full(shape, dtype, value):
    """np.full(shape, value, dtype) for a value checked_fill gave."""
    a = np.empty(shape, dtype)
    if value.__class__ is builtins.float and dtype.kind in "iu":  # C's cast (fill() refuses 2.0 ** 63 for int64)
        np.copyto(a, value, casting="unsafe")
    else:
        a.fill(value)
    return a


def _missing_size(fn):
    return TypeError(f'{fn}() missing 1 required positional arguments: "size"')


def _filled(fn, fill, size, dtype, device, requires_grad, size_keyword, out, default=None, value=None):
    """Factory fn's tensor of `*size` (or size=): fill(shape, NumPy dtype), or given a fill value (a Python number),
    fill(shape, NumPy dtype, the value checked for the dtype). `default`: the dtype without dtype=, if not the
    default float."""
    if not size and size_keyword is None:  # zeros() is no 0-d tensor: PyTorch wants a size, () included
        raise _missing_size(fn)
    d = (default or _dt.get_default_dtype()) if dtype is None else dtype_arg(fn, dtype)
    shape = _size(size, fn, size_keyword)
    if device is not None:
        check_on_cpu(device)
    if value is None:
        return _made(_allocate(fill, shape, d.np), fn, requires_grad, out)
    return _made(_allocate(fill, shape, d.np, checked_fill(value, d.np, math.prod(shape))), fn, requires_grad, out)


def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """A tensor of zeros; `dxdy.zeros(2, 3)`, `dxdy.zeros((2, 3))` or `dxdy.zeros(size=(2, 3))`."""
    return _filled("zeros", np.zeros, sizes, dtype, device, requires_grad, size, out)


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """A tensor of ones."""
    return _filled("ones", _ones, sizes, dtype, device, requires_grad, size, out)


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
          memory_format=None):
    """An uninitialised tensor (dxdy fills it with zeros, so results never depend on garbage)."""
    return _filled("empty", np.zeros, sizes, dtype, device, requires_grad, size, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """A tensor filled with `fill_value`; its dtype follows the value (bool, int64, or the default float)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type_name(size)}")
    value = scalar_bits(number_arg("full", "fill_value", 2, fill_value))
    return _filled("full", _full, (size,), dtype, device, requires_grad, None, out, _dt.scalar_dtype(value), value)


def _like(fn, fill, input, dtype, requires_grad, device=None):
    _tensor_arg(fn, input)
    check_on_cpu(device)
    d = dtype_arg(fn, dtype)
    return _finish(wrap(_allocate(fill, input._data.shape, input._data.dtype if d is None else d.np)),
                   requires_grad, fn)


def zeros_like(input, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
               memory_format=None):
    return _like("zeros_like", np.zeros, input, dtype, requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
              memory_format=None):
    return _like("ones_like", _ones, input, dtype, requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
               memory_format=None):
    return _like("empty_like", np.zeros, input, dtype, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
              memory_format=None):
    _tensor_arg("full_like", input)
    value = scalar_bits(number_arg("full_like", "fill_value", 2, fill_value))
    return _like("full_like", lambda s, d: _full(s, d, checked_fill(value, d, math.prod(s))), input, dtype,
                 requires_grad, device)


# Tensor's factories that take its dtype (x.new_zeros(2, 3)): methods, attached beside the functions they call.
def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def new_zeros(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    if not sizes and size is None:
        raise _missing_size("new_zeros")
    return _filled("zeros", np.zeros, sizes, dtype or self.dtype, device, requires_grad, size, None)


def new_ones(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    if not sizes and size is None:
        raise _missing_size("new_ones")
    return _filled("ones", _ones, sizes, dtype or self.dtype, device, requires_grad, size, None)


def new_empty(self, *sizes, size=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    if not sizes and size is None:
        raise _missing_size("new_empty")
    return _filled("empty", np.zeros, sizes, dtype or self.dtype, device, requires_grad, size, None)


def new_full(self, size, fill_value, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


Tensor.new_tensor, Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty, Tensor.new_full = (
    new_tensor, new_zeros, new_ones, new_empty, new_full)


def _int_arg(fn, name, position, v):
    if v.__class__ is builtins.int and v >= 0:  # (the common case, checked first)
        return v
    if not isinstance(v, (builtins.int, np.integer)) or isinstance(v, builtins.bool):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be int, not {type_name(v)}")
    if v < 0:
        raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return builtins.int(v)


def _eye(shape, dtype):
    n, m = shape
    a = np.zeros(n * m, dtype)
    a[:(n if n < m else m) * m:m + 1] = 1  # (np.eye does the same, through more Python)
    return a.reshape(shape)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False):
    """The identity matrix, n x m."""
    d = _dt.get_default_dtype() if dtype is None else dtype_arg("eye", dtype)
    n = _int_arg("eye", "n", 1, n)
    m = n if m is None else _int_arg("eye", "m", 2, m)
    if device is not None:
        check_on_cpu(device)
    return _made(_allocate(_eye, (n, m), d.np), "eye", requires_grad, out)


# -- ranges ---------------------------------------------------------------------------------
#
# NOTE [Range values]
# arange, linspace, logspace and range give PyTorch's CPU values bit for bit, rounding where its kernels round
# (ATen's RangeFactories.cpp, and cpu/RangeFactoriesKernel.cpp for arange and linspace). That kernel file is
# built once per CPU capability: dxdy follows the AVX2 and AVX-512 builds, which PyTorch runs on every x86 CPU
# since 2013 and whose compiler fuses `a * b + c` into one rounding (an FMA); PyTorch's plain build and its ARM
# builds differ from them in the last bit of some elements.
# - arange computes in double (float for float16, int64 for integer dtypes) and fills 32-byte vectors, two at a
#   time: lane k of the vector that starts at element i is `base + k * step` with `base = start + step * i`
#   rounded to the dtype; the elements after the last pair of vectors are `start + step * i` each. Its length is
#   ceil((end - start) / step) in double (for int64, in integers after truncating start, end and step).
# - linspace computes in the dtype itself (double for integer dtypes; each float16 operation is rounded to
#   float16): step = (end - start) / (steps - 1), the first half start + step * i, the second half
#   end - step * (steps - 1 - i).
# - logspace is base ** (the same two halves), in double with C's pow; range is start + i * step in double
#   (float for float16), both without FMA.
# PyTorch splits a range of more than 32768 elements among its threads, and each thread starts its vectors at
# its own first element; dxdy gives PyTorch's values on one thread there.
# Ranges of a few elements get the same values in Python's floats: NOTE [Ranges in Python's floats].

_INT64 = np.dtype(np.int64)
_VECTOR_BYTES = 32  # an AVX2 register: PyTorch's x86 builds fill arange 32 bytes at a time
# The types that take any Python int of smaller size unchecked: exactly, or (float64) rounded once as C's cast.
_TAKES_INT_BELOW = {np.int64: 2 ** 63, np.float64: 2 ** 63, np.float32: 2 ** 24}


def _scalar_to(v, t):
    """The number v as NumPy type t, converted as PyTorch's Scalar.to<T>() converts it.

    A float truncates into an integer type, a negative int wraps into an unsigned one, a float goes to float16
    through float32; a value beyond the type's range (NaN for integers) is refused.
    """
    if v.__class__ is builtins.float:  # the common cases first: nothing to check, and NumPy rounds as C's cast
        if t is np.float64 or t is np.float32 and -_FLOAT32_MAX <= v <= _FLOAT32_MAX:
            return t(v)
    elif v.__class__ is builtins.int:
        below = _TAKES_INT_BELOW.get(t, 0)
        if -below <= v < below:
            return t(v)
    name, lo, hi, bits = _C_TYPES[t]
    if bits and isinstance(v, builtins.float):  # a float type takes inf and NaN
        over = math.isfinite(v) and (v < lo or v > hi)
    elif bits:
        over = v < lo or v > hi
    elif isinstance(v, builtins.float):  # C compares in double; NaN and inf do not fit
        over = not math.isfinite(v) or v < builtins.float(lo) or v > builtins.float(hi)
    elif lo == 0:  # C++ lets a negative int into an unsigned type, modulo 2**bits
        over = v > hi or (v < 0 and -v > hi)
    else:
        over = v < lo or v > hi
    if over:
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    if not bits:
        size = hi - lo + 1
        v = math.trunc(v) % size  # two's complement, as C's casts wrap
        return t(v - size if lo and v > hi else v)
    if isinstance(v, builtins.float):
        return t(np.float32(v)) if t is np.float16 else t(v)
    return np.array(v, np.int64 if v < 2 ** 63 else np.uint64).astype(t)[()]  # one rounding, as C's cast


_PACK_FLOAT32, _UNPACK_FLOAT32 = struct.Struct("f").pack, struct.Struct("f").unpack


def _to_float32(x):
    """The double x rounded to float32 as C's cast rounds it, as a Python float (struct's costs less than NumPy's)."""
    try:
        return _UNPACK_FLOAT32(_PACK_FLOAT32(x))[0]
    except OverflowError:  # (past float32's largest: C's cast gives inf)
        return math.copysign(math.inf, x)


def _double_in(v, t):
    """_scalar_to(v, t) for t float32 or float64, as a Python float: at once for a float or an int that t takes."""
    if v.__class__ is builtins.float:
        if t is np.float64:
            return v
        if -_FLOAT32_MAX <= v <= _FLOAT32_MAX:
            return _to_float32(v)
    elif v.__class__ is builtins.int:
        below = _TAKES_INT_BELOW[t]
        if -below <= v < below:
            return builtins.float(v)  # (exactly, or for float64 rounded once as C's cast)
    return builtins.float(_scalar_to(v, t))


def _int64(v):
    """v as PyTorch converts it to int64 (_scalar_to), as a Python int."""
    return v if v.__class__ is builtins.int and -2 ** 63 <= v < 2 ** 63 else builtins.int(_scalar_to(v, np.int64))


def _to_c_int(x, t):
    """Float64 values cast to integer type t as x86 does (C's cast): truncated, INT_MIN where out of range."""
    wide = np.int64 if t is np.int64 else np.int32  # C converts through int (cvttsd2si) for the narrower types
    info = np.iinfo(wide)
    inside = (x > -2.0 ** (info.bits - 1) - 1) & (x < 2.0 ** (info.bits - 1))
    return np.where(inside, np.trunc(np.where(inside, x, 0)), info.min).astype(wide).astype(t)


def _c_ints(values, t):
    """_to_c_int for a list of Python floats, in Python."""
    bits = 64 if t is np.int64 else 32
    low, high = -2.0 ** (bits - 1) - 1, 2.0 ** (bits - 1)
    ints = [math.trunc(v) if low < v < high else -2 ** (bits - 1) for v in values]
    return np.array(ints, np.int64 if bits == 64 else np.int32).astype(t, copy=False)


def _two_sum(a, b):
    """(s, e): s = a + b rounded, and s + e == a + b exactly (Knuth)."""
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _split(a):
    c = 134217729.0 * a  # 2**27 + 1: Veltkamp's split into two 26-bit halves
    high = c - (c - a)
    return high, a - high


def _two_product(a, b):
    """(p, e): p = a * b rounded, and p + e == a * b exactly (Dekker)."""
    p = a * b
    (ah, al), (bh, bl) = _split(a), _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _add_round_to_odd(a, b):
    """a + b in float64, rounded to odd: rounding it again to a narrower format then rounds a + b only once."""
    s, e = _two_sum(a, b)
    even = (s.view(np.int64) & 1) == 0
    return np.where((e != 0) & even, np.nextafter(s, np.copysign(np.inf, e)), s)


def _fma(a, b, c, t):
    """a * b + c rounded once to float type t (float32 or float64), as an FMA instruction rounds it.

    NumPy has no FMA: float32 operands multiply exactly in float64; for float64 the product's error
    is carried and added rounded to odd (Boldo and Melquiond's emulation, exact barring overflow).
    """
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        if t is np.float32:
            return _add_round_to_odd(a * b, c).astype(np.float32)
        p, e = _two_product(a, b)
        s, s_err = _two_sum(c, p)
        rest = _add_round_to_odd(s_err, e)
        out = np.where(rest == 0, s, s + rest)  # (s alone keeps the sign of an exact 0: -0 + -0 is -0)
        return np.where(np.isfinite(out), out, a * b + c)  # inf or NaN: the split overflowed, or was given them


def _c_pow(base, x):
    """C's pow(base, x) for each float64 x, as PyTorch calls it.

    NumPy's own power may be a SIMD approximation that differs in the last bit, so each result of
    normal size comes from Python's float power, which is C's; the others (inf, 0, NaN) from NumPy.
    """
    with np.errstate(all="ignore"):
        rough = np.power(base, x)
    # Python's power raises where C's overflows or underflows, and refuses a negative base's fractional power
    exact = (1e-300 < np.abs(rough)) & (np.abs(rough) < 1e300) & ((base > 0) | (x == np.trunc(x)))
    out = rough.astype(object)
    out[exact] = np.power(builtins.float(base), x[exact].astype(object))
    return out.astype(np.float64)


def _range_number(fn, name, position, v):
    """A start, end or step: a Python number (a 0-d tensor gives its item), or PyTorch's TypeError."""
    if isinstance(v, Tensor) and v._data.ndim == 0 or isinstance(v, np.generic):
        v = v.item()
    if not _is_number(v):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Number, not {type_name(v)}")
    if isinstance(v, builtins.int) and not -2 ** 63 <= v < 2 ** 64:
        raise OverflowError("int too big to convert")
    return v


def _numbers(fn, names, values):
    """Python numbers from Number arguments (0-d tensors give their item), or PyTorch's TypeError."""
    for v in values:  # the common case, checked first: Python floats, and ints in int64's range
        if v.__class__ is not builtins.float and not (v.__class__ is builtins.int and -2 ** 63 <= v < 2 ** 63):
            break
    else:
        return values
    if len(values) == 1:
        return [_range_number(fn, names[0], 1, values[0])]
    try:
        return [_range_number(fn, name, i + 1, v) for i, (name, v) in enumerate(zip(names, values))]
    except TypeError:
        raise TypeError(f"{fn}() received an invalid combination of arguments - got "
                        f"({', '.join(type_name(x) for x in values)}), but expected one of:") from None


def _check_range(start, end, step):
    """PyTorch's checks of a range's bounds, made in double."""
    start, end, step = builtins.float(start), builtins.float(end), builtins.float(step)
    if not (step > 0 or step < 0):  # NaN too
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if not (step > 0 and end >= start or step < 0 and end <= start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")


def _c_quotient(a, b):
    return abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # C's integer division truncates


def _arange_size(start, end, step, d):
    _check_range(start, end, step)
    if d is _dt.int64:  # counted in integers, after each bound is truncated
        if not (start.__class__ is end.__class__ is step.__class__ is builtins.int and -2 ** 63 <= start < 2 ** 63
                and -2 ** 63 <= end < 2 ** 63 and -2 ** 63 <= step < 2 ** 63):  # (_int64's common case, at once)
            start, end, step = _int64(start), _int64(end), _int64(step)
        if step == 0:
            raise ValueError("step must be nonzero")
        return _c_quotient(end - start + step - (1 if step > 0 else -1), step)
    size = (builtins.float(end) - builtins.float(start)) / builtins.float(step)
    if not size <= 2.0 ** 63:  # inf too
        raise RuntimeError("invalid size, possible overflow?")
    return math.ceil(size)


# For each float type: 2 ** (bits of its significand - 1), and 1 / its smallest subnormal.
_EXACT_LIMITS = {np.float16: (2 ** 10, 2 ** 24), np.float32: (2 ** 23, 2 ** 149), np.float64: (2 ** 52, 2 ** 1074)}


def _exact_range(start, step, n, t):
    """Whether start + step * i for every i < n, and so each partial result of the kernel, is exact in float type t
    (start and step Python floats).

    Then nothing rounds anywhere (arange(5.0), arange(-1, 1, 0.25)), and there is no rounding to emulate.
    """
    try:  # every value is k / scale
        scale = builtins.max(start.as_integer_ratio()[1], step.as_integer_ratio()[1])
    except (OverflowError, ValueError):  # inf or NaN
        return False
    half_span, finest = _EXACT_LIMITS[t]  # each |k| < 2 ** bits (a bit to spare for rounding the left side)
    return scale <= finest and abs(start) + abs(step) * n < half_span / scale


# NOTE [Ranges in Python's floats]
# Up to _FEW elements, arange, linspace and logspace compute in Python's floats, which cost less than NumPy's
# calls on so few. The exact value of an fma, start + step * k, is an integer over a power of two (the larger
# denominator of start's and step's ratios); float() rounds an integer correctly, and scaling it by the power
# of two is then exact while the result is a normal double (the denominator at most 2 ** 1022): each value is
# rounded once, as C's fma rounds it. An exact 0 takes its sign from IEEE's rules: step * k is then exact, and
# `step * k + start` in Python's floats gives that sign. NumPy's path takes the ranges where a bound is not
# finite, a value is beyond double's range or a denominator is larger.
_NORMAL_DEN = 2 ** 1022  # (a constant: Python computes so large a power on every call)
_FEW = 64


def _arange_few(start, step, n, d):
    """_arange_values for float32 and float64 in Python's floats (NOTE [Ranges in Python's floats]); None where
    NumPy's path must compute them."""
    if d is _dt.float32 and not abs(start) + abs(step) * n < 3e38:  # (no value is then beyond float32's range)
        return None
    try:
        (s, s_den), (p, p_den) = start.as_integer_ratio(), step.as_integer_ratio()
        den = builtins.max(s_den, p_den)
        if den > _NORMAL_DEN:
            return None
        s, p, scale, to_float = s * (den // s_den), p * (den // p_den), 1 / den, builtins.float
        lanes = _VECTOR_BYTES // d.itemsize
        paired = n - n % (2 * lanes)
        values = []
        for i in builtins.range(0, paired, lanes):  # a vector: its first element stored in d, then fma(k, step, it)
            base = builtins.float(d.np.type(to_float(s + p * i) * scale or step * i + start))
            b = builtins.int(base * den)  # (a multiple of 1 / den still: rounding to d only makes it coarser)
            values += [base] + [to_float(b + p * k) * scale or step * k + base for k in builtins.range(1, lanes)]
        values += [to_float(s + p * i) * scale or step * i + start for i in builtins.range(paired, n)]
        return np.array(values, d.np)
    except (OverflowError, ValueError):  # (start or step not finite; a value beyond double's range)
        return None


def _arange_values(start, step, n, d):
    """PyTorch's arange kernel: see NOTE [Range values]."""
    if not d.is_floating_point:  # exact in int64, and wrapping into a narrower type as C's cast does
        if not (start.__class__ is step.__class__ is builtins.int and -2 ** 63 <= start < 2 ** 63
                and -2 ** 63 <= step < 2 ** 63):  # (_int64's common case, at once)
            start, step = _int64(start), _int64(step)
        stop = start + step * n
        if step and -2 ** 63 <= stop < 2 ** 63 and -2 ** 63 <= start + step < 2 ** 63:  # nothing wraps: NumPy's
            a = np.arange(start, stop, step, _INT64)
            return a if d is _dt.int64 else a.astype(d.np)
        return (start + step * np.arange(n, dtype=np.int64)).astype(d.np, copy=False)
    acc = np.float32 if d is _dt.float16 else np.float64
    start, step = _scalar_to(start, acc), _scalar_to(step, acc)
    if acc is np.float64 and n <= _FEW:
        a = _arange_few(builtins.float(start), builtins.float(step), n, d)
        if a is not None:
            return a
    if _exact_range(builtins.float(start), builtins.float(step), n, d.np.type):
        return (np.float64(start) + np.float64(step) * np.arange(n)).astype(d.np)
    lanes = _VECTOR_BYTES // d.itemsize
    i = np.arange(n)
    lane = np.where(i < n - n % (2 * lanes), i % lanes, 0)  # 0 after the last pair of vectors
    with np.errstate(over="ignore"):  # float16 overflows to inf, as in PyTorch
        base = _fma(step, (i - lane).astype(acc), start, acc).astype(d.np)
        return np.where(lane == 0, base, _fma(lane.astype(acc), step, base.astype(acc), acc).astype(d.np))


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
           requires_grad=False):
    """Values from start up to (not including) end by step: int64 when all are integers, else the default float."""
    d = None if dtype is None else dtype_arg("arange", dtype)
    if device is not None:
        check_on_cpu(device)
    if end is None:
        start, (end,) = 0, _numbers("arange", ("end",), (start,))
        (step,) = _numbers("arange", ("step",), (step,))
    else:
        start, end, step = _numbers("arange", ("start", "end", "step"), (start, end, step))
    if d is None:
        integers = isinstance(start, builtins.int) and isinstance(end, builtins.int) and isinstance(step, builtins.int)
        d = _dt.int64 if integers else _dt.get_default_dtype()
    if d is _dt.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    return _made(_arange_values(start, step, _arange_size(start, end, step, d), d), "arange", requires_grad, out)


_RANGE_DEPRECATED = ("torch.range is deprecated and will be removed in a future release because its behavior is "
                     "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                     "[start, end).")


def range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated in PyTorch: like arange but including `end`; the default float dtype."""
    warnings.warn(_RANGE_DEPRECATED.replace("torch.", "dxdy."), UserWarning, stacklevel=2)
    d = dtype_arg("range", dtype) or _dt.get_default_dtype()
    check_on_cpu(device)
    start, end, step = _numbers("range", ("start", "end", "step"), (start, end, step))
    if d is _dt.bool:
        raise NotImplementedError("\"range_cpu\" not implemented for 'Bool'")
    acc = np.float32 if d is _dt.float16 else np.float64 if d.is_floating_point else np.int64
    first, last, by = (_scalar_to(v, acc) for v in (start, end, step))
    _check_range(start, end, step)
    if acc is np.int64:
        if by == 0:  # PyTorch divides by zero here (the process dies); dxdy gives the check's error
            raise RuntimeError("step must be nonzero")
        n = _c_quotient(builtins.int(last) - builtins.int(first), builtins.int(by)) + 1
        a = first + by * np.arange(n, dtype=np.int64)
    else:
        with np.errstate(all="ignore"):
            n = builtins.int(_to_c_int(np.float64((last - first) / by + 1), np.int64))
            if n == -2 ** 63:  # NaN (0 / 0 in float) or beyond int64
                raise RuntimeError(f"IntArrayRef contains an int that cannot be represented as a SymInt: {n}")
            a = first + np.arange(n, dtype=acc) * by
    with np.errstate(over="ignore"):
        return write_out(_finish(wrap(a.astype(d.np)), requires_grad, "range"), out)


_REALS = (builtins.float, builtins.int)


def _steps(fn, start, end, steps):
    if start.__class__ in _REALS and end.__class__ in _REALS and steps.__class__ is builtins.int and steps >= 0:
        return start, end, steps  # (the common case, which linspace checks before it calls)
    values = (start, end, steps)
    if isinstance(start, Tensor) and start.ndim or isinstance(end, Tensor) and end.ndim:
        raise RuntimeError(f"{fn} only supports 0-dimensional start and end tensors, but got start with "
                           f"{start.ndim if isinstance(start, Tensor) else 0} dimension(s) and end with "
                           f"{end.ndim if isinstance(end, Tensor) else 0} dimension(s).")
    start, end, steps = (v.item() if isinstance(v, Tensor) and v._data.ndim == 0 else v for v in values)
    if not (_is_number(start) and _is_number(end) and isinstance(steps, (builtins.int, np.integer))
            and not isinstance(steps, builtins.bool)):
        raise TypeError(f"{fn}() received an invalid combination of arguments - got "
                        f"({', '.join(type_name(x) for x in values)}), but expected one of:")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = (v.item() if isinstance(v, np.generic) else v for v in (start, end))
    return start, end, builtins.int(steps)


def _fill_value(v, d):
    """v as fill_ converts it into dtype d: as Scalar.to does, except that float16 takes any float (via float32)."""
    if d is _dt.float16:
        with np.errstate(over="ignore"):
            return np.float16(np.float32(v))
    return _scalar_to(v, d.np.type)


def _halves_of(steps):
    """For linspace and logspace: (i, lower) over `steps` elements; lower marks the first half."""
    i = np.arange(steps)
    return i, i < steps // 2


def _float32_step(first, last, steps):
    """(last - first) / (steps - 1) in float32 (first and last float32 values), as a Python float: each operation
    in double, then rounded to float32, which rounds as float32's own operation does."""
    try:
        span = _UNPACK_FLOAT32(_PACK_FLOAT32(last - first))[0]
    except OverflowError:  # (past float32's largest)
        span = math.copysign(math.inf, last - first)
    return _UNPACK_FLOAT32(_PACK_FLOAT32(span / (steps - 1 if steps <= 2 ** 24 else _to_float32(steps - 1))))[0]


def _linspace_few(start, end, step, steps):
    """_linspace_values' fmas in double, in Python's floats (NOTE [Ranges in Python's floats]): fma(step, i, start)
    for the first half, fma(-step, steps - 1 - i, end) for the second; None where NumPy's path must compute them."""
    try:
        (s, s_den), (e, e_den), (p, p_den) = start.as_integer_ratio(), end.as_integer_ratio(), step.as_integer_ratio()
        den = builtins.max(s_den, e_den, p_den)
        if den > _NORMAL_DEN:
            return None
        s, e, p, scale, to_float = s * (den // s_den), e * (den // e_den), p * (den // p_den), 1 / den, builtins.float
        half = steps // 2
        return [to_float(s + p * i) * scale or step * i + start if i < half else
                to_float(e - p * (steps - 1 - i)) * scale or -step * (steps - 1 - i) + end
                for i in builtins.range(steps)]
    except (OverflowError, ValueError):  # (start, end or step not finite; a value beyond double's range)
        return None


def _linspace_values(start, end, steps, d):
    """PyTorch's linspace kernel: see NOTE [Range values]."""
    if steps <= 1:  # fill_(start): end is not even converted
        return np.full(steps, _fill_value(start, d) if steps else 0, d.np)
    t = d.np.type
    if t is np.float16:  # c10::Half rounds each operation to float16 (computing in float32)
        def half(x):
            return np.asarray(x, np.float32).astype(np.float16).astype(np.float32)
        i, lower = _halves_of(steps)
        start, end = np.float32(_scalar_to(start, t)), np.float32(_scalar_to(end, t))
        step = half(half(end - start) / half(steps - 1))
        far = half(np.where(lower, i, steps - 1 - i))
        with np.errstate(over="ignore"):
            return half(np.where(lower, start + half(step * far), end - half(step * far))).astype(np.float16)
    # The bounds and the step as the kernel holds them (in t; integers step in double), in Python's floats.
    if d.is_floating_point:
        if start.__class__ is end.__class__ is _INT and -2 ** 24 <= start <= 2 ** 24 and -2 ** 24 <= end <= 2 ** 24:
            first, last = _FLOAT(start), _FLOAT(end)  # (exact in both: _double_in's common case)
        else:
            first, last = _double_in(start, t), _double_in(end, t)
        by = (last - first) / (steps - 1) if t is _FLOAT64 else _float32_step(first, last, steps)
    else:
        t = np.float64
        first, last = builtins.float(_scalar_to(start, d.np.type)), builtins.float(_scalar_to(end, d.np.type))
        by = (last - first) / (steps - 1)
    # For float32: whether first + by * i and last - by * i for every i < steps, and each product, is a double
    # exactly: rounding it to float32 is then the fma's one rounding. A float32's lowest bit is at least 2 ** -24
    # times its magnitude: each value here is a multiple of 2 ** -24 times the least nonzero magnitude, and a
    # double while below 2 ** 53 times that (a bit to spare for rounding the left side).
    exact = False
    if t is _FLOAT32:
        a, b, c = abs(first), abs(last), abs(by)
        exact = (a if a > b else b) + c * steps < 2 ** 28 * _MIN(a or math.inf, b or math.inf, c or math.inf)
    if steps <= _FEW and (exact or t is _FLOAT64):
        if exact:  # the first half steps up from start, the second down from end (loops: cheaper than comprehensions)
            values = []
            for i in _RANGE(steps // 2):
                values.append(first + by * i)
            for k in _RANGE(steps - 1 - steps // 2, -1, -1):
                values.append(last - by * k)
        else:
            values = _linspace_few(first, last, by, steps)
        if values is not None:
            return np.array(values, d.np) if d.is_floating_point else _c_ints(values, d.np.type)
    i, lower = _halves_of(steps)
    if exact:
        return (np.where(lower, by, -by) * np.where(lower, i, steps - 1 - i) + np.where(lower, first, last)).astype(t)
    far = np.where(lower, i, steps - 1 - i).astype(t)
    with np.errstate(all="ignore"):  # the first half steps up from start, the second down from end
        out = _fma(np.where(lower, by, -by), far, np.where(lower, first, last), t)
    return out if d.is_floating_point else _to_c_int(out, d.np.type)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
             requires_grad=False):
    """`steps` evenly spaced values from start to end, both included."""
    d = _dt.get_default_dtype() if dtype is None else dtype_arg("linspace", dtype)
    if not (start.__class__ in _REALS and end.__class__ in _REALS and steps.__class__ is _INT and steps >= 0):
        start, end, steps = _steps("linspace", start, end, steps)
    if device is not None:
        check_on_cpu(device)
    if d is _dt.bool:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    return _made(_linspace_values(start, end, steps, d), "linspace", requires_grad, out)


def _logspace_few(start, end, steps, base, d):
    """_logspace_values for float32, float64 and the integer dtypes, in Python's floats (whose power is C's pow),
    where each power is of normal size; None elsewhere (NumPy's path)."""
    if d.is_floating_point:  # end - start in the dtype: a double rounded to float32 is rounded once
        span = builtins.float(end) - builtins.float(start)
        if d is _dt.float32:
            if not abs(span) <= _FLOAT32_MAX:
                return None
            span = builtins.float(np.float32(span))
    else:  # C promotes the narrow integers to int; int64 wraps
        span = builtins.float((builtins.int(end) - builtins.int(start) + 2 ** 63) % 2 ** 64 - 2 ** 63)
    step, half, first, last = span / (steps - 1), steps // 2, builtins.float(start), builtins.float(end)
    try:
        out = [base ** (first + step * i if i < half else last - step * (steps - 1 - i)) for i in builtins.range(steps)]
    except (OverflowError, ZeroDivisionError):
        return None
    if not (1e-299 < builtins.min(map(abs, out)) and builtins.max(map(abs, out)) < 1e299):  # (as _c_pow's, NaN too)
        return None
    return _array_of(out, d) if d.is_floating_point else _c_ints(out, d.np.type)


def _logspace_values(start, end, steps, base, d):
    """PyTorch's logspace kernel: see NOTE [Range values]."""
    if steps <= 1:  # fill_(base ** start), the power in double
        return np.full(steps, _fill_value(_c_pow(base, np.array([builtins.float(start)]))[0].item(), d)
                       if steps else 0, d.np)
    start, end = _scalar_to(start, d.np.type), _scalar_to(end, d.np.type)
    if steps <= _FEW and d is not _dt.float16 and base > 0:
        out = _logspace_few(start, end, steps, base, d)
        if out is not None:
            return out
    i, lower = _halves_of(steps)
    with np.errstate(all="ignore"):
        if d.is_floating_point:  # end - start in the dtype (float16 rounds it; NumPy does too)
            span = np.float64(end - start)
        else:  # C promotes the narrow integers to int; int64 wraps
            span = np.float64(np.int64(end) - np.int64(start))
        step = span / (steps - 1)
        exponent = np.where(lower, np.float64(start) + step * i, np.float64(end) - step * (steps - 1 - i))
        out = _c_pow(base, exponent)
        if d.is_floating_point:
            return out.astype(np.float32).astype(np.float16) if d is _dt.float16 else out.astype(d.np.type)
    return _to_c_int(out, d.np.type)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
             requires_grad=False):
    """`steps` values from base ** start to base ** end, evenly spaced in the exponent."""
    d = dtype_arg("logspace", dtype) or _dt.get_default_dtype()
    start, end, steps = _steps("logspace", start, end, steps)
    if isinstance(base, Tensor) and base._data.ndim == 0 or isinstance(base, np.generic):
        base = base.item()
    if base.__class__ is not builtins.float and not _is_number(base):
        raise TypeError(f"logspace() received an invalid combination of arguments - got "
                        f"({', '.join(type_name(x) for x in (start, end, steps))}, base={type_name(base)}), but "
                        f"expected one of:")
    check_on_cpu(device)
    if d is _dt.bool:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    a = _logspace_values(start, end, steps, builtins.float(base), d)
    return write_out(_finish(wrap(a), requires_grad, "logspace"), out)


# -- random ---------------------------------------------------------------------------------
class Generator:
    """A source of random numbers: dxdy's own seeded stream (not PyTorch's)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._state = None  # made on first use: importing numpy.random costs more than all of dxdy

    @property
    def _rng(self):
        if self._state is None:
            self._state = np.random.default_rng(self._seed)
        return self._state

    @_rng.setter
    def _rng(self, rng):
        self._state = rng

    def manual_seed(self, seed):
        self._seed = builtins.int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        self._seed = builtins.int(np.random.SeedSequence().entropy % (2 ** 63))
        self._rng = np.random.default_rng(self._seed)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed dxdy's random stream: the same seed gives the same numbers on every run."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _rng(generator):
    return (generator or default_generator)._rng


_UNIFORM, _NORMAL = "check_uniform_bounds", "normal_kernel_cpu"  # (PyTorch's kernels, which its errors name)


def _random(fn, draw, kernel):
    """Factory `fn` of random samples: draw(rng, shape) cast to the dtype asked for (the default float when None);
    `kernel` is the name PyTorch's errors give. (One body for rand, randn and normal, with no second call:
    arguments left at their defaults cost a test each.)"""
    def factory(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
        if not sizes and size is None:
            raise TypeError(f"{fn}() received an invalid combination of arguments - got (), but expected one of:")
        d = _dt.get_default_dtype() if dtype is None else dtype_arg(fn, dtype)
        shape = sizes
        for s in sizes:  # (_size's common case, plain ints, at once)
            if s.__class__ is not _INT or not 0 <= s < 2 ** 63:
                shape = _size(sizes, fn, size)
                break
        else:
            if size is not None:
                shape = _size(sizes, fn, size)
        if device is not None:
            check_on_cpu(device)
        # (PyTorch's normal kernel does not run for no elements; its uniform one checks the dtype all the same)
        if not d.is_floating_point and (kernel != _NORMAL or math.prod(shape)):
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{d.type_name}'")
        g = generator or default_generator
        try:
            a = draw(g._state or g._rng, shape)  # (drawn in double: the stream is the same for every dtype)
            if a.dtype is not d.np:
                a = a.astype(d.np)
        except (MemoryError, ValueError):  # (raised after the handler, as _allocate's)
            a = None
        if a is None:
            raise allocation_error(shape, d.np)
        return wrap(a) if requires_grad is False and out is None else _made(a, fn, requires_grad, out)
    factory.__name__ = factory.__qualname__ = fn
    return factory


# (NumPy's Generator methods are looked up on the generator: importing numpy.random costs more than all of dxdy)
rand = _random("rand", lambda rng, shape: rng.random(shape), _UNIFORM)
rand.__doc__ = "Uniform samples in [0, 1)."
randn = _random("randn", lambda rng, shape: rng.standard_normal(shape), _NORMAL)
randn.__doc__ = "Standard normal samples."


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, pin_memory=False, requires_grad=False,
              memory_format=None):
    _tensor_arg("rand_like", input)
    check_on_cpu(device)
    return rand(input._data.shape, generator=generator, dtype=dtype_arg("rand_like", dtype) or input.dtype,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, pin_memory=False,
               requires_grad=False, memory_format=None):
    _tensor_arg("randn_like", input)
    check_on_cpu(device)
    return randn(input._data.shape, generator=generator, dtype=dtype_arg("randn_like", dtype) or input.dtype,
                 requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            pin_memory=False, requires_grad=False):
    """Integers drawn uniformly from [low, high); `randint(10, (3,))` or `randint(2, 10, (3,))`."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    d = dtype_arg("randint", dtype) or _dt.int64
    check_on_cpu(device)
    given = (low, high, size)
    if not (low.__class__ is high.__class__ is builtins.int and size.__class__ in (tuple, list)):  # (the common case)
        low, high = (v.item() if isinstance(v, Tensor) and v._data.ndim == 0 else v for v in (low, high))
        integers = all(isinstance(v, (builtins.int, np.integer)) and not isinstance(v, builtins.bool)
                       for v in (low, high))
        if not integers or not isinstance(size, (tuple, list)):
            if isinstance(size, str):
                raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                                f"{type_name(size)}")
            raise TypeError(f"randint() received an invalid combination of arguments - got "
                            f"({', '.join(type_name(x) for x in given)}), but expected one of:")
    shape = _plain_shape(size)
    if shape is None:
        shape = _size_ints((size,), "randint")  # (PyTorch's order of checks)
    if not (-2 ** 63 <= low < 2 ** 63 and -2 ** 63 <= high < 2 ** 63):
        raise ValueError("Overflow when unpacking long long")
    nonnegative_shape(shape)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if not d.is_floating_point or d is _dt.float16:  # (the bounds must fit the dtype)
        lo, hi = (0, 1) if d is _dt.bool else _C_TYPES[d.np.type][1:3]
        for what, bad in (("from", low < lo), ("to - 1", high - 1 > hi)):
            if bad:
                raise RuntimeError(f"{what} is out of bounds for {d.cpp_name}")
    a = _allocate(lambda s, t: _rng(generator).integers(low, high, s), shape, np.int64)
    return write_out(_finish(wrap(a.astype(d.np, copy=False)), requires_grad, "randint"), out)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None, pin_memory=False,
                 requires_grad=False, memory_format=None):
    _tensor_arg("randint_like", input)
    check_on_cpu(device)
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, generator=generator,
                   dtype=dtype_arg("randint_like", dtype) or input.dtype, requires_grad=requires_grad)


_RANDPERM_MOST = {_dt.float16: (2049, "2049"), _dt.float32: (2 ** 24 + 1, "2^24+1")}


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
             requires_grad=False):
    d = dtype_arg("randperm", dtype) or _dt.int64
    check_on_cpu(device)
    if not isinstance(n, (builtins.int, np.integer)) or isinstance(n, builtins.bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type_name(n)}")
    if not -2 ** 63 <= n < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    (n,) = _size((n,), "randperm")
    if d is _dt.bool:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if d in _RANDPERM_MOST and n > _RANDPERM_MOST[d][0]:  # (the integers the dtype holds exactly, and one more)
        raise RuntimeError(f"n cannot be greater than {_RANDPERM_MOST[d][1]} for {d.type_name} type.")
    elif not d.is_floating_point and n:
        checked_fill(n - 1, d.np)
    a = _allocate(lambda s, t: _rng(generator).permutation(s[0]).astype(t, copy=False), (n,), d.np)
    return write_out(_finish(wrap(a), requires_grad, "randperm"), out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Normal samples: tensor means/stds element-wise, or floats with a size."""
    r = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor) or size is None:
        if size is not None or not (isinstance(mean, Tensor) or isinstance(std, Tensor)):
            got = ", ".join(_kind(v) for v in (mean, std) + ((size,) if size is not None else ()))
            raise TypeError(f"normal() received an invalid combination of arguments - got ({got}), but expected "
                            f"one of:")
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        ref = mean if isinstance(mean, Tensor) else std
        if isinstance(std, Tensor) and (s < 0).any():  # PyTorch's checks, in its order
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if not isinstance(std, Tensor) and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        from .ops.promotion import broadcast_shape  # (ops imports this module)
        shape = broadcast_shape(np.shape(m), np.shape(s))
        if not ref.is_floating_point():
            raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{ref.dtype.type_name}'")
        return write_out(wrap((m + s * r.standard_normal(shape)).astype(ref._data.dtype)), out)
    if size.__class__ not in (tuple, list) or _plain_shape(size) is None:
        _size_ints((size,), "normal")  # (PyTorch parses the size first)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    draw = _random("normal", lambda g, s: mean + std * g.standard_normal(s), _NORMAL)
    return draw(size, generator=generator, out=out, dtype=dtype, device=device, requires_grad=requires_grad)


def _kind(v):
    return "Tensor" if isinstance(v, Tensor) else type_name(v)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability input (or p), else 0, element-wise, in input's dtype."""
    _tensor_arg("bernoulli", input)
    a = input._data
    if p is None:
        if a.dtype.kind != "f":
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{input.dtype.type_name}'")
        if not ((a >= 0) & (a <= 1)).all():  # (NaN fails too)
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                               "be improved?  If so, please report an enhancement request to PyTorch.)")
    elif not _is_number(p):
        raise TypeError(f"bernoulli() received an invalid combination of arguments - got (Tensor, p={type_name(p)}), "
                        f"but expected one of:")
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return wrap((_rng(generator).random(a.shape) < (a if p is None else p)).astype(a.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """num_samples category indices per row of input (weights, not necessarily summing to 1).

    Without replacement, the categories are drawn as an exponential race (category i's key E_i / w_i, the
    smallest first): each draw picks among the remaining categories in proportion to their weights, and
    categories of weight 0 come last, as PyTorch gives them once the others are drawn."""
    _tensor_arg("multinomial", input)
    if not isinstance(num_samples, (builtins.int, np.integer)) or isinstance(num_samples, builtins.bool):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type_name(num_samples)}")
    w = input._data
    if w.ndim not in (1, 2):  # PyTorch's checks, in its order
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype.type_name}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = w.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if k > 2 ** 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    if k == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    rows = w.reshape(-1, k).astype(np.float64)
    if not (np.isfinite(rows) & (rows >= 0)).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    r = _rng(generator)
    if replacement:
        cdf = np.cumsum(rows, -1)
        cdf /= cdf[:, -1:]
        u = r.random((rows.shape[0], num_samples))
        out = np.stack([np.searchsorted(c, v, side="right") for c, v in zip(cdf, u)]) if rows.size else u
    else:
        with np.errstate(divide="ignore"):
            keys = r.standard_exponential(rows.shape) / rows
        out = np.argsort(keys, axis=-1, kind="stable")[:, :num_samples]
    return wrap(np.minimum(out, k - 1).reshape(w.shape[:-1] + (num_samples,)).astype(np.int64))


# -- legacy constructors ------------------------------------------------------------------------
def tensor_new(cls, *args, **kwargs):
    """Tensor's own constructor, the legacy one: `dxdy.Tensor([1, 2])` or `dxdy.Tensor(2, 3)`, float tensors."""
    return legacy_new(cls, _dt.get_default_dtype(), args, kwargs)


def legacy_new(cls, default, args, kwargs):
    """`dxdy.Tensor(data)` / `dxdy.Tensor(2, 3)` and the typed FloatTensor, LongTensor, ...."""
    if kwargs.get("device") is not None:
        check_on_cpu(kwargs["device"])
    if not args:
        return wrap(np.zeros((0,), default.np))
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]
    if builtins.all(isinstance(a, (builtins.int, np.integer)) for a in args) and not (
            len(args) == 1 and isinstance(args[0], (list, tuple))):
        return wrap(np.zeros(_size(args, "new"), default.np))
    if len(args) == 1 and isinstance(args[0], tuple) and builtins.all(isinstance(a, builtins.int) for a in args[0]) \
            and kwargs.get("size_only"):
        return wrap(np.zeros(_size(args, "new"), default.np))
    if len(args) == 1:
        if not _is_sequence(args[0]):
            raise TypeError(f"new(): data must be a sequence (got {type_name(args[0])})")
        return wrap(np.array(_to_array(args[0], default), copy=True))
    if isinstance(args[0], (builtins.int, np.integer)):
        _size(args, "new")  # names the element that is not an int
    raise TypeError(f"new() received an invalid combination of arguments - got "
                    f"({', '.join(type_name(a) for a in args)}), but expected one of:")


def _typed(d):
    def make(*args, **kwargs):
        return legacy_new(Tensor, d, args, kwargs)
    make.__name__ = make.__qualname__ = _dt.legacy_type_name(d)
    make.__doc__ = f"Legacy constructor: a {d.name} tensor from data or a size."
    return make


FloatTensor = _typed(_dt.float32)
DoubleTensor = _typed(_dt.float64)
HalfTensor = _typed(_dt.float16)
LongTensor = _typed(_dt.int64)
IntTensor = _typed(_dt.int32)
ShortTensor = _typed(_dt.int16)
CharTensor = _typed(_dt.int8)
ByteTensor = _typed(_dt.uint8)
BoolTensor = _typed(_dt.bool)

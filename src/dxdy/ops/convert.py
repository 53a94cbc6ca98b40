"""Copies and dtype conversions: clone, contiguous, to / float / double / ..., sum_to_size."""
import builtins

import numpy as np

from .. import dtypes as _dt
from ..creation import dtype_arg, int_tuple_arg
from ..tensor import Tensor, wrap, device as _device, check_on_cpu
from ._op import op, name_ops

def _layout(x):
    """The memory order of a copy of x, as PyTorch's preserve_format lays it out: x's own order of dims,
    except for an expanded x (stride 0 along a dim of several elements), whose copy is contiguous."""
    expanded = builtins.any(s == 0 and n > 1 for s, n in zip(np.asarray(x).strides, np.shape(x)))
    return "C" if expanded else "K"


_clone = op(lambda xp, x: np.array(x, order=_layout(x)), vjp=lambda xp, g: g, node="CloneBackward0", linear=True)
_contiguous = op(lambda xp, x: np.array(x, order="C"), vjp=lambda xp, g: g, node="CloneBackward0", linear=True)
_to = op(lambda xp, x, *, dtype: np.asarray(x).astype(dtype, order=_layout(x)),
         vjp=lambda xp, g, x_dtype: xp.astype(g, x_dtype), node="ToCopyBackward0", linear=True)


def clone(input, *, memory_format=None):
    """A copy with its own memory (gradients pass through unchanged)."""
    return _clone(input)


def contiguous(input, memory_format=None):
    """self when already C-contiguous, else a contiguous copy."""
    if np.asarray(input._data).flags.c_contiguous:
        return input
    return _contiguous(input)


def to(input, *args, dtype=None, non_blocking=False, copy=False, memory_format=None, device=None):
    """Convert to a dtype (`x.to(dxdy.float64)`, `x.to(other)`, `x.to('cpu', dxdy.float64)`); self if unchanged."""
    check_on_cpu(device, making=False)
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _device)) or isinstance(a, builtins.int) and not isinstance(a, builtins.bool):
            check_on_cpu(a, making=False)  # an int is the index of an accelerator, as in PyTorch
        elif a is not None and not isinstance(a, builtins.bool):
            dtype = a
    if dtype is None:
        return clone(input) if copy else input
    d = dtype_arg("to", dtype)
    if d.np == input._data.dtype and not copy:
        return input
    if not d.is_floating_point:
        return wrap(input._data.astype(d.np))  # integers and bools carry no gradient
    return _to(input, dtype=d.np)


def _converter(d, name):
    def convert(self, *, memory_format=None):
        return to(self, d)
    convert.__name__ = name
    convert.__doc__ = f"self as {d!r} (self itself when it already is)."
    return convert


float = _converter(_dt.float32, "float")
double = _converter(_dt.float64, "double")
half = _converter(_dt.float16, "half")
long = _converter(_dt.int64, "long")
int = _converter(_dt.int32, "int")
short = _converter(_dt.int16, "short")
char = _converter(_dt.int8, "char")
byte = _converter(_dt.uint8, "byte")
bool = _converter(_dt.bool, "bool")

def type(self, dtype=None, non_blocking=False):
    """With no argument, the legacy type name ('dxdy.FloatTensor'); else a conversion like to()."""
    if dtype is None:
        return "dxdy." + _dt.legacy_type_name(self._data.dtype)
    if isinstance(dtype, str):
        legacy = _dt.from_legacy_type_name(dtype.split(".")[-1])
        if legacy is not None:
            return to(self, legacy)
        raise ValueError(f"invalid type: '{dtype}'")
    if dtype.__class__ is _dt.dtype:
        return to(self, dtype)
    name = getattr(dtype, "__name__", None)
    if callable(dtype) and getattr(dtype, "__module__", None) == "dxdy.creation" and _dt.from_legacy_type_name(name):
        return type(self, name)  # a legacy constructor: x.type(dxdy.DoubleTensor)
    if isinstance(dtype, builtins.type):  # float, numpy.float32, ...: not tensor types, as in PyTorch
        module = dtype.__module__
        raise ValueError(f"invalid type: '{name if module == 'builtins' else module + '.' + dtype.__qualname__}'")
    raise TypeError("dtype must be a type, str, or dtype object")


def type_as(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not {builtins.type(other).__name__}")
    return to(self, other.dtype)


_sum_to_size = op(lambda xp, x, *, shape: xp.sum_to_size(x, shape),
                  vjp=lambda xp, g, x_shape: xp.spread(g, x_shape), node="SumBackward1", linear=True)


def sum_to_size(self, *sizes, size=None):
    """Sum the dims that broadcasting would have expanded, to get back to `size`."""
    if size is not None:
        sizes = int_tuple_arg("sum_to_size", "size", sizes, size)
    shape = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], (builtins.int, np.integer)) \
        else tuple(sizes)
    if self._data.shape == shape:
        return self
    try:
        np.broadcast_shapes(shape, self._data.shape)
        if np.broadcast_shapes(shape, self._data.shape) != self._data.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(self._data.shape)}}}.") \
            from None
    lead = self._data.ndim - len(shape)
    if lead:  # sum keeping the leading dims, then view them away (PyTorch's ViewBackward0 on top)
        return _sum_to_size(self, shape=(1,) * lead + shape).view(shape)
    return _sum_to_size(self, shape=shape)

name_ops(globals())

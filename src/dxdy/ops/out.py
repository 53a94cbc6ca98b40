"""`out=`: a result written into a tensor the caller gives.

NOTE [out= arguments]
out= never records a graph: with grad mode on it refuses inputs or an out that
require grad (PyTorch's message). The op runs as without out=, then its result is
copied into out, cast to out's dtype unless that is of a lower category (a float
result into an int out is PyTorch's RuntimeError); an out of another shape is
resized (with PyTorch's warning unless it was empty). out's version counter goes up,
so a graph that saved out fails backward, as after any in-place change.
"""
import sys
import warnings

import numpy as np

from .. import dtypes as _dt
from ..messages import type_title
from ..mode import state as _mode, watch as _watch
from ..saved_tensors import before_write
from ..tensor import Tensor, bump_version


def write_out(result, out, name=None):
    """`out=`: the result written into out (resized, with PyTorch's warning, if its shape differs).

    As in PyTorch, out= is for computations without a graph: it refuses inputs or an out
    that require grad while grad mode is on. A tuple result (max along a dim, sort...)
    takes a tuple of outs. `name` defaults to the calling function's.
    """
    if out is None:
        return result
    name = name or sys._getframe(1).f_code.co_name
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        return type(result)([write_out(r, o, name) for r, o in zip(result, out)])
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {_dt.type_name(out)}")
    if _mode.grad_enabled and (result._rg or out._rg):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           f"but one of the arguments requires grad.")
    a, r = out._data, result._data
    if _dt.from_numpy(r.dtype).category > _dt.from_numpy(a.dtype).category:
        raise RuntimeError(f"result type {type_title(r)} can't be cast to the desired output type {type_title(a)}")
    if a.shape != r.shape or not isinstance(a, np.ndarray):
        if a.shape != r.shape and a.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(a.shape)}, "
                          f"which does not match the required output shape {list(r.shape)}. Pass an out of that "
                          f"shape, or one with no elements, to reuse it without this warning.", UserWarning,
                          stacklevel=3)
        out._data = np.array(r, dtype=a.dtype)
    else:
        if _watch.on:
            before_write(out)
        np.copyto(writable(out), r, casting="unsafe")
    bump_version(out)
    return out


def writable(t):
    """t's array, to write into (a NumPy scalar becomes an array first); refuses an expanded tensor."""
    a = t._data
    if not isinstance(a, np.ndarray):
        a = t._data = np.array(a)
    if not a.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")
    return a

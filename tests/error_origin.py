"""Where an exception dxdy raised came from: a `raise` of its own, or NumPy's (or Python's) internals.

NOTE [NumPy's exceptions never reach the user] (docs/decisions.md): an error a user sees is PyTorch's,
raised by a `raise` statement of dxdy's with PyTorch's type and message. NumPy's exception classes
(AxisError, UFuncTypeError, its MemoryError), and a ValueError, IndexError or TypeError thrown by NumPy
or by Python itself (`tuple index out of range`, `'int' object has no attribute '_data'`) inside dxdy,
are leaks. Used by tests/test_no_numpy_errors.py and by the fuzzers' comparison (fuzz_compare.py).
"""
import linecache
import os
import re
import traceback

import numpy as np

import dxdy

_DXDY = os.path.dirname(dxdy.__file__) + os.sep
_NUMPY = os.path.dirname(np.__file__) + os.sep
# Python's own TypeError when a call's arguments do not bind to its parameters (PyTorch's is a TypeError too)
_BINDING = re.compile(r"takes \w+ positional argument|missing \d+ required|unexpected keyword argument|"
                      r"got multiple values for argument|takes from \d+ to \d+ positional")


def leak(exc):
    """How `exc` escaped without being raised as PyTorch's error, or None when a `raise` of dxdy's raised it
    (or a call's arguments did not bind, or it was raised outside dxdy and NumPy, by the caller's code).

    A raise of dxdy's that only rewraps the message of a NumPy exception it caught is a leak too."""
    origin = _origin(exc)
    if origin is not None:
        return origin
    inner = exc.__context__
    if inner is not None and str(inner) and str(inner) in str(exc) and _origin(inner) is not None:
        return f"NumPy's message, rewrapped: {_origin(inner)}"
    return None


def _origin(exc):
    if type(exc).__module__.split(".")[0] == "numpy":
        return f"NumPy's {type(exc).__name__}"
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return None
    last = frames[-1]
    if last.filename.startswith(_NUMPY):
        return f"{type(exc).__name__} raised inside NumPy ({os.path.basename(last.filename)}:{last.lineno})"
    if not last.filename.startswith(_DXDY):
        return None
    line = linecache.getline(last.filename, last.lineno).strip()
    if line.startswith("raise") or (isinstance(exc, TypeError) and _BINDING.search(str(exc))):
        return None
    where = os.path.relpath(last.filename, _DXDY)
    return f"{type(exc).__name__} raised by NumPy or Python at dxdy/{where}:{last.lineno} ({line[:70]})"


def builtin_type(exc):
    """The most derived built-in class of `exc` (torch.linalg.LinAlgError -> RuntimeError)."""
    return next(c for c in type(exc).__mro__ if c.__module__ == "builtins")

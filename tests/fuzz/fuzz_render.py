"""Python source for values: a generated program is text that runs under `torch` or `dxdy`.

Every value is written so that both libraries rebuild it bit for bit: floats by
the shortest decimal that rounds back to the same value in their own dtype, the
non-finite ones as float('nan') and float('inf').
"""
import math

import numpy as np


def number(v):
    """A Python literal for a number (a NumPy scalar is written at its own precision)."""
    if isinstance(v, (bool, np.bool_)):
        return repr(bool(v))
    if isinstance(v, (int, np.integer)):
        return repr(int(v))
    f = float(v)
    if math.isnan(f):
        return "float('nan')"
    if math.isinf(f):
        return "float('inf')" if f > 0 else "-float('inf')"
    if isinstance(v, np.floating):
        short = str(v)  # NumPy's shortest decimal that is unique in v's own dtype
        if type(v)(float(short)) == v:  # and parsing it as a double, then rounding, gives v back
            return short
    return repr(f)


def nested(a):
    """Nested list literal of an array's values."""
    if a.ndim == 0:
        return number(a[()])
    return "[" + ", ".join(nested(row) for row in a) + "]"


def dtype(d):
    """`torch.float32` for a NumPy dtype (or a torch one)."""
    name = str(d)
    return name if name.startswith("torch.") else "torch." + np.dtype(d).name


def array(a, requires_grad=False):
    """An expression that makes a tensor equal to `a`; a transposed 2-d array stays non-contiguous."""
    rg = ", requires_grad=True" if requires_grad else ""
    if a.size == 0:
        return f"torch.zeros({tuple(a.shape)!r}, dtype={dtype(a.dtype)}{rg})"
    if a.ndim == 2 and not a.flags.c_contiguous and a.T.flags.c_contiguous:
        made = f"torch.tensor({nested(a.T)}, dtype={dtype(a.dtype)}).T"
        return made + (".requires_grad_()" if requires_grad else "")
    return f"torch.tensor({nested(a)}, dtype={dtype(a.dtype)}{rg})"


def literal(v):
    """Source for a plain argument: numbers, strings, None, Python types, tuples and lists of them."""
    if v is None or isinstance(v, str):
        return repr(v)
    if v is float or v is int or v is bool:
        return v.__name__
    if isinstance(v, (bool, int, float, np.number, np.bool_)):
        return number(v)
    if isinstance(v, tuple):
        inner = ", ".join(literal(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, list):
        return "[" + ", ".join(literal(x) for x in v) + "]"
    raise TypeError(f"no literal for {type(v).__name__}: {v!r}")

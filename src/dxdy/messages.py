"""The texts of errors and warnings that the graph, the engine and the ops share.

NOTE [Message texts]
A message keeps PyTorch's exception type and first line, word for word (scripts and
tests match on them; NOTE [Errors that teach] in graph.py), and names things as
PyTorch's messages do: a tensor by its type ("dxdy.FloatTensor [2, 3]"), a dtype by
its title ("Float", "Long"), a node by its forward ("output 0 of Exp" for
ExpBackward0). This module imports only dtypes and tensor, so that the graph, the
engine and every op may import it.
"""
import warnings

from . import dtypes as _dt
from .tensor import OutOfMemory, allocation_error


def _modified_message(node, i, src, k, now, expected):
    if src.__class__ is list:  # a saved result
        a = node.saved[i] if node.saved is not None and node.n_outputs == 1 else None
        what = f"[{_type_name(a)} {list(a.shape)}]" if a is not None else "a saved result"
        which = f", which is output {k} of {_forward_name(node)},"
    else:
        if src._extra is not None and src._extra.cast_of is not None:
            src = src._extra.cast_of
        a = src._data
        what = f"[{_type_name(a)} {list(a.shape)}]"
        which = f", which is output {src._nr} of {_forward_name(src.grad_fn)}," if src.grad_fn is not None else ""
    return (f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {what}{which} is at version {now}; expected version {expected} instead. Hint: "
            f"enable anomaly detection to find the operation that failed to compute its gradient, with "
            f"dxdy.autograd.set_detect_anomaly(True, check_nan=False).\n"
            f"To fix: {node.name()} saved this tensor at version {expected} to compute its gradient, and an "
            f"in-place op (add_, mul_, x[i] = ..., x += ...) changed it {now - expected} time(s) since. "
            f"Change a copy instead (x = x.clone() before the in-place op), or use the out-of-place form "
            f"(x = x + 1).")


def _forward_name(node):
    # PyTorch names the op here, not its node: "output 0 of Exp" for ExpBackward0, "of Max1" for MaxBackward1.
    name = node.name().rsplit("::", 1)[-1]
    return name[:-len("Backward0")] if name.endswith("Backward0") else name.replace("Backward", "")


def _type_name(a):
    return "dxdy." + _dt.legacy_type_name(a.dtype)


def out_of_memory(e):
    """PyTorch's RuntimeError for NumPy's MemoryError `e` (which names the array's shape and dtype)."""
    if getattr(e, "shape", None) is None:
        return OutOfMemory(f"DefaultCPUAllocator: can't allocate memory: {e}")
    return allocation_error(e.shape, e.dtype)


_WARNED = set()


def warn_once(message, stacklevel=2):
    """A UserWarning that PyTorch gives once per process (TORCH_WARN_ONCE), whatever the warnings filters say."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


def type_title(a):
    """PyTorch's name of an array's dtype in messages: Float, Double, Long..."""
    return _dt.from_numpy(a.dtype).type_name

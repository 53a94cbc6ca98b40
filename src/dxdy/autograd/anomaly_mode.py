"""Anomaly mode: find the forward op behind a failing or NaN-producing backward step.

When on, every node records the stack of the forward call that made it; the
backward pass then checks each node's gradients for NaN (unless check_nan is
False) and, when a node fails, warns with that forward stack. When off, it costs
one flag test per recorded op.
"""
import warnings
import weakref

from ..mode import anomaly as _state, rewatch

_traces = weakref.WeakKeyDictionary()
_HERE = __file__.rsplit("autograd", 1)[0]  # dxdy's own directory: its frames are left out


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return _state.enabled


def is_anomaly_check_nan_enabled():
    return _state.check_nan


def record(node):
    """Keep the forward call stack for `node` (the user's frames, not dxdy's)."""
    import traceback  # here, not at the top: anomaly mode is rare and the import is not free
    _traces[node] = [f for f in traceback.extract_stack()[:-2] if not f.filename.startswith(_HERE)]


def forward_trace(node):
    import traceback
    frames = _traces.get(node)
    return "".join(traceback.format_list(frames)) if frames else "  (not recorded: anomaly mode was off)\n"


def report(node):
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                  f"{forward_trace(node)}", UserWarning, stacklevel=2)


class detect_anomaly:
    """Turn anomaly detection on inside a `with` block (or a decorated function).

    >>> with dxdy.autograd.detect_anomaly():
    ...     x = dxdy.tensor([0.0], requires_grad=True)
    ...     x.log().backward()       # RuntimeError: Function 'LogBackward0' returned nan ...
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self._saved = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = True, self.check_nan
        rewatch()

    def __exit__(self, *exc):
        _state.enabled, _state.check_nan = self._saved
        rewatch()

    def __call__(self, func):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return func(*args, **kwargs)
        wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore the old setting on exit."""

    def __init__(self, mode, check_nan=True):
        self._saved = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = bool(mode), check_nan
        rewatch()

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled, _state.check_nan = self._saved
        rewatch()

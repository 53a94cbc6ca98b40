"""Printing tensors character for character as PyTorch does.

`repr(t)` is `tensor(<body>, <suffixes>)`. The body is the array written with one
width and one notation shared by every element; both are chosen from the elements
that will be shown, so a huge tensor is summarized (`...` after `edgeitems` items
per dim, once it has more than `threshold` elements) before anything is formatted.
The suffixes (`size=`, `dtype=`, `requires_grad=True`, `grad_fn=<...>`) follow, each
moved to a new line when it would overflow `linewidth`.
"""
import math

import numpy as np

from . import dtypes as _dt
from .tensor import Tensor

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set how tensors print; `profile` ('default', 'short', 'full') first, then each given option.

    As in PyTorch, `sci_mode` is always reset: None (the default) lets the values decide.

    >>> dxdy.set_printoptions(precision=2)
    >>> dxdy.tensor([1.12345])
    tensor([1.12])
    >>> dxdy.set_printoptions(profile="default")
    """
    if profile is not None:
        _options.update(_PROFILES.get(profile, {}))
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    _options.update((k, v) for k, v in given.items() if v is not None)
    _options["sci_mode"] = sci_mode


def get_printoptions():
    """The current options, as a dict that `set_printoptions(**options)` accepts."""
    return dict(_options)


# -- choosing a width and a notation ---------------------------------------------


class _Formatter:
    """One width and one notation for every element of a tensor, chosen from the shown values.

    Floats print in fixed point (`precision` decimals), as integers with a trailing dot
    when every finite value is whole, or in scientific notation when the nonzero
    finite magnitudes span more than a factor 1000 or leave [1e-4, 1e8].
    nan, inf and zeros take no part in the choice, nor in the width.
    """

    def __init__(self, shown, floating):
        self.floating, self.int_mode, self.sci_mode, self.width = floating, True, False, 1
        if not floating:
            self.width = max([len(str(v)) for v in shown.ravel().tolist()], default=1)
            return
        finite = shown[np.isfinite(shown) & (shown != 0)]
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        sci = _options["sci_mode"]
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if sci is None else sci
        values = finite.tolist()
        p = _options["precision"]
        if self.sci_mode:
            widths = [len(f"{v:.{p}e}") for v in values]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in values]  # + 1 for the trailing dot
        else:
            widths = [len(f"{v:.{p}f}") for v in values]
        self.width = max(widths)

    def format(self, v):
        p = _options["precision"]
        if not self.floating:
            s = str(v)
        elif self.sci_mode:
            s = f"{v:{self.width}.{p}e}"
        elif self.int_mode:
            s = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            s = f"{v:.{p}f}"
        return s.rjust(self.width)


def _summarized(a, edgeitems):
    """The elements a summarized print shows: the first and last `edgeitems` along each long dim."""
    if a.ndim == 0:
        return a
    if not edgeitems:  # only '...' is shown
        return a[(slice(0, 0),) * a.ndim]
    keep = [np.r_[0:edgeitems, n - edgeitems:n] if n > 2 * edgeitems else np.arange(n) for n in a.shape]
    return a[np.ix_(*keep)]


# -- the body ------------------------------------------------------------------------


def _row(a, indent, summarize, fmt):
    """A 1-d array: items joined by ', ', wrapped to `linewidth` under the opening bracket."""
    e = _options["edgeitems"]
    if summarize and not e:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        items = [fmt.format(v) for v in a[:e].tolist()] + [" ..."] + [fmt.format(v) for v in a[-e:].tolist()]
    else:
        items = [fmt.format(v) for v in a.tolist()]
    per_line = max(1, math.floor((_options["linewidth"] - indent) / (fmt.width + 2)))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a, indent, summarize, fmt):
    """Nested brackets; sub-blocks of a k-d array are separated by k - 1 newlines."""
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _row(a, indent, summarize, fmt)
    n, e = a.shape[0], _options["edgeitems"]
    if summarize and n > 2 * e:
        rows = [*range(e), None, *range(n - e, n)]
    else:
        rows = range(n)
    blocks = ["..." if i is None else _body(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(blocks) + "]"


def _tensor_str(a, floating, indent):
    summarize = a.size > _options["threshold"]
    shown = _summarized(a, _options["edgeitems"]) if summarize else a
    return _body(a, indent, summarize, _Formatter(shown, floating))


# -- the suffixes ----------------------------------------------------------------------


def _width(suffix):
    # Measured as PyTorch's 'torch.' spelling, one longer than 'dxdy.', so that
    # lines break where PyTorch's do.
    return len(suffix) + suffix.count("dxdy.")


def _add_suffixes(text, suffixes, indent):
    # PyTorch measures the last line as two characters longer than it is (until a
    # suffix starts a new line); matching that decides where suffixes wrap.
    last_line = len(text) - text.rfind("\n") + 1
    parts = [text]
    for s in suffixes:
        if last_line + _width(s) + 2 > _options["linewidth"]:
            parts.append(",\n" + " " * indent + s)
            last_line = indent + _width(s)
        else:
            parts.append(", " + s)
            last_line += _width(s) + 2
    return "".join(parts) + ")"


def tensor_repr(t, *, tensor_contents=None):
    """The text PyTorch prints for `t`: `tensor([1., 2.], requires_grad=True)` (Tensor.__repr__)."""
    from .nn.parameter import Parameter  # (dxdy.nn imports the ops, which import this module)

    plain = type(t) is Tensor or type(t) is Parameter
    prefix = "tensor(" if plain else f"{type(t).__name__}("
    indent = len(prefix)
    a, dtype, default = np.asarray(t._data), t.dtype, _dt.get_default_dtype()
    suffixes = []
    if a.size == 0:
        # no values show the dtype, so only the default float dtype goes unsaid
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype != default:
            suffixes.append(f"dtype={dtype!r}")
    else:
        body = _tensor_str(a, dtype.is_floating_point, indent)
        if not _options["edgeitems"]:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype not in (default, _dt.int64, _dt.bool):
            suffixes.append(f"dtype={dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = _add_suffixes(prefix + body, suffixes, indent)
    return f"Parameter({text})" if isinstance(t, Parameter) and not plain else text

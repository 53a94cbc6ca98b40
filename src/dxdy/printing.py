"""Printing tensors as PyTorch does (placeholder: replaced by the full formatter)."""
import numpy as np

_options = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            _options[k] = v
    _options["sci_mode"] = sci_mode


def get_printoptions():
    return dict(_options)


def tensor_repr(t):
    body = np.array2string(np.asarray(t._data), separator=", ", precision=4)
    suffix = ""
    if t.grad_fn is not None:
        suffix = f", grad_fn=<{type(t.grad_fn).__name__}>"
    elif t._rg:
        suffix = ", requires_grad=True"
    return f"tensor({body}{suffix})"

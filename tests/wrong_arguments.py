"""Wrong arguments made from an op table sample, the way users get them wrong.

Shared by tests/test_no_numpy_errors.py (every op, every kind) and the misuse fuzzer
(tests/fuzz/fuzz_misuse.py: random ops, samples and kinds, as programs).
"""
import numpy as np

from op_info import NoGrad

DIM_NAMES = {"dim", "dims", "axis", "dim0", "dim1", "start_dim", "end_dim", "source", "destination"}


# -- wrong arguments from a valid sample ------------------------------------------------------------------
def _array(a):
    return a.array if isinstance(a, NoGrad) else a


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _replace(args, i, new):
    new = np.asarray(new)  # (NumPy hands back scalars from some of the expressions below)
    return args[:i] + [NoGrad(new) if isinstance(args[i], NoGrad) else new] + args[i + 1:]


def wrong_calls(sample):
    """(kind, args, kwargs) for each wrong variant of `sample`; kind names what was made wrong."""
    args, kwargs = list(sample.args), dict(sample.kwargs)
    ndim = max([np.ndim(_array(a)) for a in args if isinstance(a, (np.ndarray, NoGrad))] + [0])
    for k, v in kwargs.items():
        if _is_int(v):
            for bad in ((ndim + 2, -ndim - 3) if k in DIM_NAMES else (-1, 1000)):
                yield ("dim" if k in DIM_NAMES else "int"), args, {**kwargs, k: bad}
        elif isinstance(v, (tuple, list)) and v and all(_is_int(e) for e in v):
            yield "dim", args, {**kwargs, k: type(v)([ndim + 2] + list(v[1:]))}
    for i, v in enumerate(args):
        if _is_int(v):
            for bad in (ndim + 2, -ndim - 3, -1, 1000):
                yield "int", args[:i] + [bad] + args[i + 1:], kwargs
        elif isinstance(v, (tuple, list)) and v and all(_is_int(e) for e in v):
            for bad in (ndim + 2, -ndim - 3):
                yield "int", args[:i] + [type(v)([bad] + list(v[1:]))] + args[i + 1:], kwargs
    arrays = [i for i, a in enumerate(args) if isinstance(a, (np.ndarray, NoGrad))]
    for i in arrays:
        a = _array(args[i])
        if a.dtype.kind == "f":
            finite = np.nan_to_num(a, posinf=9.0, neginf=-9.0)
            for d in ("int64", "bool", "float16"):
                yield "dtype", _replace(args, i, (np.round(finite) if d == "int64" else finite > 0 if d == "bool"
                                                  else a).astype(d)), kwargs
            if a.size:
                yield "values", _replace(args, i, np.full_like(a, np.nan)), kwargs
                yield "values", _replace(args, i, -np.abs(a) - 1), kwargs
        if a.dtype.kind in "iu":
            yield "index", _replace(args, i, a + 100), kwargs
            yield "index", _replace(args, i, a - 100), kwargs
            yield "dtype", _replace(args, i, a.astype(np.float32)), kwargs
        yield "shape", _replace(args, i, np.stack([a] * 5, -1) if a.ndim else np.ones(5, a.dtype)), kwargs
        if a.ndim:
            longer = np.concatenate([a, a, a[..., :1]], -1) if a.shape[-1] else np.ones(a.shape[:-1] + (3,), a.dtype)
            yield "shape", _replace(args, i, longer), kwargs
            yield "shape", _replace(args, i, a[0] if a.shape[0] else np.zeros(a.shape[1:], a.dtype)), kwargs
            yield "0-d", _replace(args, i, np.asarray(a.reshape(-1)[:1].reshape(()) if a.size else np.zeros((), a.dtype))), kwargs
        yield "empty", _replace(args, i, np.zeros((0,) + a.shape[1:] if a.ndim else (0,), a.dtype)), kwargs
        yield "empty", _replace(args, i, np.zeros((0,), a.dtype)), kwargs
    for i in arrays[1:]:
        yield "number", args[:i] + [3] + args[i + 1:], kwargs
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            yield "shape", args, {**kwargs, k: np.stack([v] * 5, -1) if v.ndim else np.ones(5, v.dtype)}
            if v.dtype.kind in "iu":
                yield "index", args, {**kwargs, k: v + 100}


# -- what is not matched (yet) -----------------------------------------------------------------------
# (op, kind): why dxdy differs there. Each is in docs/decisions.md or the report of issue 9.
KNOWN = {
    # PyTorch reads outside the tensor (no check) for an index out of range along a dim; dxdy refuses it.
    ("take_along_dim", "index"): "PyTorch does not check the indices (undefined values)",
    # Not matched yet: these ops compute in (or only name the mismatch of) an integer, bool or float16 dtype
    # where PyTorch's kernel has no version for it (NotImplementedError, "result type Float can't be cast",
    # "expected scalar type", "mixed dtype"). dxdy gives a result, or an error of another type, there.
    ("bmm", "dtype"): "dtype support of PyTorch's kernel",
    ("cdist", "dtype"): "dtype support of PyTorch's kernel",
    ("cross", "dtype"): "dtype support of PyTorch's kernel",
    ("einsum", "dtype"): "dtype support of PyTorch's kernel",
    ("linalg.cross", "dtype"): "dtype support of PyTorch's kernel",
    ("linalg.matmul", "dtype"): "dtype support of PyTorch's kernel",
    ("matmul", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.alpha_dropout", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.avg_pool2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.batch_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.bilinear", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.conv1d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.conv2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.dropout", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.dropout1d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.dropout2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.gaussian_nll_loss", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.group_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.hinge_embedding_loss", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.huber_loss", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.instance_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.kl_div", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.layer_norm", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.max_pool2d", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.prelu", "dtype"): "dtype support of PyTorch's kernel",
    ("nn.functional.soft_margin_loss", "dtype"): "dtype support of PyTorch's kernel",
}

"""Run one program in PyTorch and in dxdy and compare what comes back: nested results or the exception.

A program is a function of the library (`torch` or `dxdy`) that builds its inputs from NumPy arrays and
returns a result: tensors nested in tuples, lists and dicts (anything else must be equal). Tensors must
agree in values, shape, dtype, requires_grad and whether they have a grad_fn; containers in type, length
and keys. An exception must have PyTorch's type and message ("torch." reads "dxdy." in dxdy's).
Used by tests/test_autograd_functional.py and tests/test_func_grad.py.
"""
import warnings

import numpy as np
import torch

import dxdy


def outcome(lib, program):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", program(lib)
        except Exception as e:  # noqa: BLE001 - the exception is the result under test
            return "raise", e


def assert_same(ours, theirs, where="result", rtol=1e-5, atol=1e-6):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, dxdy.Tensor), f"{where}: {type(ours).__name__}, PyTorch's is a tensor"
        for what, o, t in (("shape", tuple(ours.shape), tuple(theirs.shape)),
                           ("dtype", str(ours.dtype), str(theirs.dtype).replace("torch.", "dxdy.")),
                           ("requires_grad", ours.requires_grad, theirs.requires_grad),
                           ("has a grad_fn", ours.grad_fn is not None, theirs.grad_fn is not None)):
            assert o == t, f"{where}: {what} {o}, PyTorch's {t}"
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol, err_msg=where)
        return
    kind, their_kind = type(ours).__name__, type(theirs).__name__
    assert kind == their_kind, f"{where}: {kind}, PyTorch's {their_kind}"
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), f"{where}: keys {list(ours)}, PyTorch's {list(theirs)}"
        for k in theirs:
            assert_same(ours[k], theirs[k], f"{where}[{k!r}]", rtol, atol)
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), f"{where}: length {len(ours)}, PyTorch's {len(theirs)}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_same(o, t, f"{where}[{i}]", rtol, atol)
    else:
        assert ours == theirs, f"{where}: {ours!r}, PyTorch's {theirs!r}"


def check(program, rtol=1e-5, atol=1e-6):
    """The program gives PyTorch's result in dxdy, or raises PyTorch's error."""
    (t_kind, theirs), (d_kind, ours) = outcome(torch, program), outcome(dxdy, program)
    if t_kind == "raise":
        assert d_kind == "raise", f"PyTorch raises {type(theirs).__name__}: {theirs}; dxdy returns {ours!r}"
        assert type(ours) is type(theirs), (f"dxdy raises {type(ours).__name__}: {ours}; PyTorch raises "
                                            f"{type(theirs).__name__}: {theirs}")
        # (a message naming functorch stays as it is)
        assert str(ours) in (str(theirs), str(theirs).replace("torch.", "dxdy.")), \
            f"message {str(ours)!r}, PyTorch's {str(theirs)!r}"
        return
    if d_kind == "raise":
        raise AssertionError(f"dxdy raises {type(ours).__name__}: {ours}; PyTorch returns {theirs!r}") from ours
    assert_same(ours, theirs, rtol=rtol, atol=atol)


def data(*shape, seed=0, low=None):
    """A float64 array of the given shape (standard normal, or uniform in (low, low + 1))."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) if low is None else rng.uniform(low, low + 1, shape)

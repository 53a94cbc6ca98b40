"""Changing an op's input or result in place before backward: dxdy refuses exactly when PyTorch does.

For every sample of the op table, each float input (a non-leaf copy of a leaf) and the first
differentiable result are changed in place in turn, then backward runs: PyTorch's node either saved
that tensor (backward fails) or did not (it succeeds), and dxdy must do the same
(NOTE [Unused saved tensors] in graph.py; the differences kept are in docs/decisions.md). Every
input requires grad, or only one: PyTorch saves some tensors only for some inputs' gradients.
"""
import warnings

import numpy as np
import pytest
import torch

import dxdy
from op_db import OP_DB, Maker
from op_info import NoGrad, map_arrays
from test_ops import resolve

# Written down in docs/decisions.md ("Changing a tensor in place after an op"):
# (op, sample name or None for all its samples) -> what is changed.
KNOWN = {("std_mean", None): {"out"}, ("slogdet", None): {"out"}, ("linalg.slogdet", None): {"out"},
         ("kron", None): {0, 1}, ("tensordot", None): {0, 1}, ("addcdiv", None): {1, 2}, ("einsum", "list"): {0, 1, 2},
         ("einsum", "summed-in-one"): {0}, ("einsum", "repeated-implicit"): {0}}


def _known(info, sample, target):
    return any(target in KNOWN.get((info.name, name), ()) for name in (None, sample.name))


def _convert(lib, value, inputs, grad):
    """`value` as a tensor; a float one is a copy of a leaf (which may be changed in place), listed in
    `inputs`, requiring grad if `grad` is None (all do) or its position."""
    def tensor(a):
        if isinstance(a, NoGrad):
            return lib.tensor(a.array.copy())
        t = lib.tensor(a.copy())
        if a.dtype.kind == "f":
            t = t.requires_grad_(grad is None or grad == len(inputs)).clone()
            inputs.append(t)
        return t
    return map_arrays(value, tensor)


def _results(r):
    if isinstance(r, (tuple, list)):
        return [t for x in r for t in _results(x)]
    return [r] if hasattr(r, "requires_grad") and r.requires_grad and r.dtype.is_floating_point else []


def _outcome(lib, info, sample, grad, target):
    """What happens: 'forward error', 'nothing to change', 'refused in place', 'backward fails', 'ok'."""
    inputs = []
    args = tuple(_convert(lib, a, inputs, grad) for a in sample.args)
    kwargs = {k: _convert(lib, v, inputs, grad) for k, v in sample.kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            results = _results(resolve(lib, info.torch_path if lib is torch else info.name)(*args, **kwargs))
        except Exception:  # noqa: BLE001  (the op table checks forward errors)
            return "forward error"
        changed = results[0] if target == "out" and results else \
            (inputs[target] if target != "out" and target < len(inputs) else None)
        if changed is None or not results:
            return "nothing to change"
        try:
            changed.add_(0.5)
        except RuntimeError:
            return "refused in place"
        try:
            sum(r.sum() for r in results).backward()
        except RuntimeError:
            return "backward fails"
        return "ok"


def _cases():
    for info in OP_DB:
        if info.grad and not info.nondeterministic:
            yield pytest.param(info, id=info.name)


@pytest.mark.parametrize("info", list(_cases()))
def test_changing_a_tensor_in_place_after_the_op(info):
    dtype = "float64" if "float64" in info.dtypes else info.dtypes[0]
    differences = []
    for sample in info.samples(Maker(np.random.default_rng(0), dtype, info.domain), dtype):
        if info.sample_filter is not None and not info.sample_filter(sample, dtype):
            continue
        for grad in (None, 0, 1, 2):
            for target in ("out", 0, 1, 2):
                if _known(info, sample, target):
                    continue
                want, got = _outcome(torch, info, sample, grad, target), _outcome(dxdy, info, sample, grad, target)
                if want != got:
                    differences.append(f"{sample!r}, grad for {'all' if grad is None else grad}, changing "
                                       f"{target}: PyTorch {want}, dxdy {got}")
    assert not differences, "\n".join(differences)


# NOTE [What matmul saves] (ops/linalg.py): which operand PyTorch saves as a copy depends on the ranks,
# the batch shapes, the layout and which operand requires grad.
_MATMUL_SHAPES = [(3,), (2, 3), (3, 4), (2, 3, 4), (1, 2, 3), (2, 1, 2, 3), (3, 3, 2), (1, 3, 4), (0, 2, 3)]


def _matmul_operand(lib, shape, requires_grad, transposed):
    a = lib.tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape))
    if transposed and len(shape) >= 2:
        a = a.mT.contiguous().mT  # same values, the matrix dims' strides swapped
    return a.requires_grad_(True).clone() if requires_grad else a.clone()


@pytest.mark.parametrize("x_shape", _MATMUL_SHAPES)
@pytest.mark.parametrize("y_shape", _MATMUL_SHAPES)
def test_changing_an_operand_of_matmul_in_place(x_shape, y_shape):
    differences = []
    for grads in ((True, True), (True, False), (False, True)):
        for layout in ((False, False), (True, False), (False, True)):
            for changed in (0, 1):
                outcome = []
                for lib in (torch, dxdy):
                    x, y = (_matmul_operand(lib, s, g, t) for s, g, t in zip((x_shape, y_shape), grads, layout))
                    try:
                        out = lib.matmul(x, y)
                    except RuntimeError:
                        outcome.append("forward error")
                        continue
                    (x, y)[changed].add_(1)
                    try:
                        out.sum().backward()
                        outcome.append("ok")
                    except RuntimeError:
                        outcome.append("backward fails")
                if outcome[0] != outcome[1]:
                    differences.append(f"requires grad {grads}, transposed {layout}, changing {changed}: "
                                       f"PyTorch {outcome[0]}, dxdy {outcome[1]}")
    assert not differences, "\n".join(differences)


# Operands of two dtypes: dxdy casts one (ops/promotion.py _as_dtype) where PyTorch's kernel saves it as it is.
_MIXED = {
    "div-floor": lambda L, x, y: L.div(x, y, rounding_mode="floor"),
    "div-trunc": lambda L, x, y: L.div(x, y, rounding_mode="trunc"),
    "where": lambda L, x, y: L.where(L.tensor([True, False, True]), x, y),
    "dist": lambda L, x, y: L.dist(x, y),
    "mse_loss": lambda L, x, y: L.nn.functional.mse_loss(x, y),
    "l1_loss": lambda L, x, y: L.nn.functional.l1_loss(x, y),
    "cosine_similarity": lambda L, x, y: L.nn.functional.cosine_similarity(x, y, dim=0),
    "mul": lambda L, x, y: x * y,
    "atan2": lambda L, x, y: L.atan2(x, y),
}


@pytest.mark.parametrize("name", list(_MIXED))
@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float64", "float32")])
def test_changing_an_operand_of_another_dtype_in_place(name, dtypes):
    differences = []
    for grads in ((True, True), (True, False), (False, True)):
        for changed in (0, 1):
            outcome = []
            for lib in (torch, dxdy):
                x, y = (lib.tensor(v, dtype=getattr(lib, d), requires_grad=g).clone()
                        for v, d, g in zip(([0.5, -1.5, 2.5], [1.25, 2.0, -0.75]), dtypes, grads))
                out = _MIXED[name](lib, x, y)
                (x, y)[changed].add_(1)
                try:
                    out.sum().backward()
                    outcome.append("ok")
                except RuntimeError as e:
                    outcome.append(str(e).split(" Hint")[0].replace("torch.", "").replace("dxdy.", ""))
            if outcome[0] != outcome[1]:
                differences.append(f"requires grad {grads}, changing {changed}: PyTorch {outcome[0]!r}, "
                                   f"dxdy {outcome[1]!r}")
    assert not differences, "\n".join(differences)


def test_an_in_place_op_that_casts_self_keeps_its_saved_copy():
    # A float16 self divided by float32 in place: the op computed on a float32 cast of self, which the
    # write into self must not make look modified (ops/inplace.py _protect_saved_self).
    grads = []
    for lib in (torch, dxdy):
        a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float16, requires_grad=True)
        y = lib.tensor([2.0, 3.0, 4.0], requires_grad=True)
        x = a * 1
        x.div_(y, rounding_mode="floor")
        (x * x).sum().backward()
        grads.append((a.grad.tolist(), y.grad.tolist()))
    assert grads[0] == grads[1]

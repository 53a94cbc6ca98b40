"""What a node saves is what its rules name (NOTE [Rule signatures] in ops/_op.py), compared with PyTorch:
which `grad_fn._saved_<name>` attributes exist, and in which order saved-tensor hooks see the tensors."""
import pytest
import torch

import dxdy

CASES = {
    "copysign": (lambda T, x, y: T.copysign(x, y), ("self", "other", "result")),
    "copysign number": (lambda T, x, y: T.copysign(x, 2.0), ("self", "other", "result")),
    "max": (lambda T, x, y: x.max(), ("self", "result", "dim", "keepdim")),
    "min": (lambda T, x, y: x.min(), ("self", "result", "dim", "keepdim")),
    "index_fill": (lambda T, x, y: x.index_fill(0, T.tensor([1]), 2.0), ("dim", "index", "value")),
    "diag_embed": (lambda T, x, y: T.diag_embed(x), ("offset", "dim1", "dim2", "shape")),
    "pad": (lambda T, x, y: T.nn.functional.pad(x, (1, 1), value=2.0), ("value",)),
    "mul": (lambda T, x, y: x * y, ("self", "other")),
}


@pytest.mark.parametrize("case", CASES)
def test_saved_attributes_are_pytorchs(case):
    fn, names = CASES[case]
    seen = {}
    for T in (torch, dxdy):
        x = T.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
        y = T.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        node = fn(T, x, y).grad_fn
        seen[T.__name__] = {name: hasattr(node, "_saved_" + name) for name in names}
    assert seen["dxdy"] == seen["torch"]


def _packed(T, fn):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = T.tensor([2.0, 1.0, 3.0], requires_grad=True)
    order = []

    def pack(t):
        order.append("x" if t.equal(x) else "y" if t.equal(y) else "result")
        return t

    with T.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(T, x, y)
    return order


@pytest.mark.parametrize("fn", [lambda T, x, y: x.prod(), lambda T, x, y: x.prod(0),
                                lambda T, x, y: T.div(x, y, rounding_mode="floor"), lambda T, x, y: x * y],
                         ids=["prod", "prod dim", "div floor", "mul"])
def test_hooks_pack_in_pytorchs_order(fn):
    assert _packed(dxdy, fn) == _packed(torch, fn)

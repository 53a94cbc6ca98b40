"""What a row declares instead of what was read from its code: overloads by PyTorch's names, the values saved
only for y's rule (saved_for_y_only), and the pack order under saved_tensors_hooks (pack_order=)."""
import pytest
import torch

import dxdy
from dxdy.ops._op import binary, op


@pytest.mark.parametrize("name", ["remainder", "fmod"])
@pytest.mark.parametrize("divisor_grad", [False, True])
def test_a_constant_divisor_saves_nothing(name, divisor_grad):
    # By a divisor that does not require grad, PyTorch's node saves neither operand: a second backward works.
    results = []
    for lib in (torch, dxdy):
        x = lib.tensor([5.5, -3.0, 7.25], requires_grad=True)
        y = lib.tensor([2.0, 1.5, -2.5], requires_grad=divisor_grad)
        r = getattr(lib, name)(x, y).sum()
        r.backward(retain_graph=False)
        try:
            r.backward()
            second = "ok"
        except RuntimeError as e:
            second = type(e).__name__
        results.append((type(r.grad_fn.next_functions[0][0]).__name__, second, x.grad.tolist()))
    assert results[1] == results[0]


def test_saved_for_y_only_wants_a_rule_of_x_that_reads_nothing():
    with pytest.raises(TypeError, match="saved_for_y_only"):
        binary(lambda xp, x, y: x, vjp=(lambda xp, g, y: g, lambda xp, g, x, y: g), node="TestBackward0",
               saved_for_y_only=True)


def test_pack_order_names_only_saved_values():
    with pytest.raises(TypeError, match="pack_order"):
        op(lambda xp, x, y: x * y, vjp=(lambda xp, g, y: g * y, lambda xp, g, x: g * x), node="TestBackward0",
           pack_order=("out", "x"))
    call = op(lambda xp, x, y: x * y, vjp=(lambda xp, g, y: g * y, lambda xp, g, x: g * x), node="TestBackward0",
              pack_order=("x",))
    assert [call.node.saves[i] for i in call.node.pack_order] == ["x", "y"]  # declared first, then as named

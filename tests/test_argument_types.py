"""Functions that want tensors refuse Python numbers with PyTorch's TypeError and message."""
import pytest
import torch

import dxdy

CALLS = {
    "maximum(x, 2)": lambda lib, x: lib.maximum(x, 2), "maximum(2, x)": lambda lib, x: lib.maximum(2, x),
    "minimum(x, 2.0)": lambda lib, x: lib.minimum(x, 2.0), "fmax(x, 2)": lambda lib, x: lib.fmax(x, 2),
    "atan2(x, 2)": lambda lib, x: lib.atan2(x, 2), "eq(2, x)": lambda lib, x: lib.eq(2, x),
    "lt(2.0, x)": lambda lib, x: lib.lt(2.0, x), "lerp(2, x, 0.5)": lambda lib, x: lib.lerp(2, x, 0.5),
    "dot(x, 2)": lambda lib, x: lib.dot(x, 2), "dot(2, x)": lambda lib, x: lib.dot(2, x),
    "mv(x, 2)": lambda lib, x: lib.mv(x, 2), "mm(x, 2)": lambda lib, x: lib.mm(x, 2),
    "mm(2, x)": lambda lib, x: lib.mm(2, x), "bmm(x, 2)": lambda lib, x: lib.bmm(x, 2),
    "matmul(x, 2)": lambda lib, x: lib.matmul(x, 2), "outer(x, 2)": lambda lib, x: lib.outer(x, 2),
    "linalg.cross(x, 2)": lambda lib, x: lib.linalg.cross(x, 2), "inner(x, 2)": lambda lib, x: lib.inner(x, 2),
    "vdot(x, 2)": lambda lib, x: lib.vdot(x, 2),
}


@pytest.mark.parametrize("call", CALLS)
def test_a_number_where_a_tensor_is_wanted(call):
    with pytest.raises(TypeError) as t_err:
        CALLS[call](torch, torch.ones(2))
    with pytest.raises(TypeError) as d_err:
        CALLS[call](dxdy, dxdy.ones(2))
    assert str(d_err.value).splitlines()[0] == str(t_err.value).splitlines()[0]


@pytest.mark.parametrize("expr", ["2 == x", "2 < x", "2.0 >= x", "x != 1"])
def test_operators_still_take_numbers_on_either_side(expr):
    d = eval(expr, {"x": dxdy.tensor([1.0, 3.0])})
    t = eval(expr, {"x": torch.tensor([1.0, 3.0])})
    assert d.tolist() == t.tolist()

"""`out=`: the result written into the given tensor, as PyTorch's functions do (ops/out.py write_out)."""
import warnings

import numpy as np
import pytest
import torch

import dxdy

X = [[1.0, -2.0], [3.0, 0.5]]
CALLS = {
    "exp": lambda lib, x: (lib.exp, (x,), {}), "sqrt": lambda lib, x: (lib.sqrt, (x.abs(),), {}),
    "add": lambda lib, x: (lib.add, (x, 1), {}), "mul": lambda lib, x: (lib.mul, (x, x), {}),
    "clamp": lambda lib, x: (lib.clamp, (x, 0, 1), {}), "round": lambda lib, x: (lib.round, (x,), {}),
    "lerp": lambda lib, x: (lib.lerp, (x, x * 2, 0.5), {}), "nan_to_num": lambda lib, x: (lib.nan_to_num, (x,), {}),
    "sum": lambda lib, x: (lib.sum, (x, 0), {}), "mean": lambda lib, x: (lib.mean, (x, 1), {}),
    "prod": lambda lib, x: (lib.prod, (x, 0), {}), "logsumexp": lambda lib, x: (lib.logsumexp, (x, 0), {}),
    "cumsum": lambda lib, x: (lib.cumsum, (x, 0), {}), "std": lambda lib, x: (lib.std, (x, 0), {}),
    "mm": lambda lib, x: (lib.mm, (x, x), {}), "matmul": lambda lib, x: (lib.matmul, (x, x), {}),
    "addmm": lambda lib, x: (lib.addmm, (x, x, x), {"beta": 0.5}), "outer": lambda lib, x: (lib.outer, (x[0], x[1]), {}),
    "tril": lambda lib, x: (lib.tril, (x,), {}), "diag": lambda lib, x: (lib.diag, (x,), {}),
    "gather": lambda lib, x: (lib.gather, (x, 1, lib.tensor([[1], [0]])), {}),
    "index_select": lambda lib, x: (lib.index_select, (x, 0, lib.tensor([1])), {}),
    "masked_select": lambda lib, x: (lib.masked_select, (x, x > 0), {}),
    "take": lambda lib, x: (lib.take, (x, lib.tensor([3, 0])), {}),
    "cat": lambda lib, x: (lib.cat, ([x, x],), {}), "stack": lambda lib, x: (lib.stack, ([x, x], 1), {}),
    "softmax": lambda lib, x: (lib.softmax, (x, 0), {}), "det": lambda lib, x: (lib.linalg.det, (x,), {}),
    "inv": lambda lib, x: (lib.linalg.inv, (x,), {}), "norm": lambda lib, x: (lib.linalg.norm, (x,), {}),
    "zeros": lambda lib, x: (lib.zeros, (2, 3), {}), "arange": lambda lib, x: (lib.arange, (5.0,), {}),
    "linspace": lambda lib, x: (lib.linspace, (0, 1, 3), {}),
}


def _call(lib, case, out):
    fn, args, kwargs = CALLS[case](lib, lib.tensor(X))
    return fn(*args, **kwargs, out=out)


@pytest.mark.parametrize("case", CALLS)
@pytest.mark.parametrize("start", ["same shape", "empty"])
def test_out_receives_the_result(case, start):
    def run(lib):
        expected = _call(lib, case, None)
        out = lib.empty(tuple(expected.shape) if start == "same shape" else (0,), dtype=expected.dtype)
        returned = _call(lib, case, out)
        return returned is out, out.numpy(), out.dtype, out._version
    (d_is, d, d_dtype, d_version), (t_is, t, t_dtype, _) = run(dxdy), run(torch)
    assert d_is and t_is
    assert str(d_dtype).replace("dxdy.", "torch.") == str(t_dtype)
    np.testing.assert_allclose(d, t, rtol=1e-6)
    assert d_version >= 1  # a write in place, seen by the version counter


@pytest.mark.parametrize("case", ["max along a dim", "sort", "topk"])
def test_out_of_a_function_with_two_results_is_a_pair(case):
    def run(lib):
        x = lib.tensor(X)
        values, indices = lib.empty(0), lib.empty(0, dtype=lib.int64)
        fn = {"max along a dim": lambda o: lib.max(x, 1, out=o), "sort": lambda o: lib.sort(x, out=o),
              "topk": lambda o: lib.topk(x, 1, out=o)}[case]
        r = fn((values, indices))
        return r[0] is values and r[1] is indices, values.numpy(), indices.numpy()
    (d_is, dv, di), (t_is, tv, ti) = run(dxdy), run(torch)
    assert d_is and t_is
    np.testing.assert_allclose(dv, tv)
    np.testing.assert_array_equal(di, ti)


def test_an_out_of_another_shape_is_resized_with_a_warning():
    out = dxdy.empty(3)
    with pytest.warns(UserWarning, match="was resized since it had shape \\[3\\]"):
        dxdy.exp(dxdy.zeros(2), out=out)
    assert out.tolist() == [1.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dxdy.exp(dxdy.zeros(2), out=dxdy.empty(0))  # no elements: resized silently


@pytest.mark.parametrize("fn", [
    lambda lib: lib.add(lib.ones(2, requires_grad=True), 1, out=lib.empty(2)),
    lambda lib: lib.exp(lib.ones(2, requires_grad=True), out=lib.empty(2)),
    lambda lib: lib.mm(lib.ones(2, 2, requires_grad=True), lib.ones(2, 2), out=lib.empty(2, 2)),
    lambda lib: lib.sum(lib.ones(2, requires_grad=True), 0, out=lib.empty(())),
    lambda lib: lib.exp(lib.ones(2), out=lib.empty(2, dtype=lib.int64)),
    lambda lib: lib.exp(lib.ones(2), out=lib.empty(2, requires_grad=True)),
])
def test_out_refuses_what_pytorch_refuses(fn):
    with pytest.raises(RuntimeError) as t_err:
        fn(torch)
    with pytest.raises(RuntimeError) as d_err:
        fn(dxdy)
    assert str(d_err.value).splitlines()[0] == str(t_err.value).splitlines()[0]


def test_out_under_no_grad_takes_inputs_that_require_grad():
    w = dxdy.ones(2, requires_grad=True)
    out = dxdy.empty(2)
    with dxdy.no_grad():
        dxdy.mul(w, 3, out=out)
    assert out.tolist() == [3.0, 3.0] and not out.requires_grad

"""Tensor attributes and methods that are not ops, against PyTorch."""
import copy
import pickle

import numpy as np
import pytest
import torch

import dxdy


def both(fn):
    return fn(dxdy), fn(torch)


def same(d, t):
    assert str(d.dtype) == str(t.dtype).replace("torch.", "dxdy.")
    np.testing.assert_array_equal(np.asarray(d.detach()._data), t.detach().numpy())


def raises_like(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as d_err:
        fn(dxdy)
    assert type(d_err.value) is type(t_err.value) or type(d_err.value).__name__ == type(t_err.value).__name__
    assert str(d_err.value).splitlines()[0][:50] == str(t_err.value).replace("torch.", "dxdy.").splitlines()[0][:50]


def test_shape_size_dim_numel_dtype_device():
    def run(lib):
        x = lib.zeros(2, 3, 4)
        return (tuple(x.shape), tuple(x.size()), x.size(1), x.size(-1), x.dim(), x.ndim, x.numel(),
                str(x.dtype).split(".")[1], str(x.device), x.is_leaf, x.requires_grad, x.element_size(),
                x.stride(), x.is_contiguous(), x.is_floating_point(), len(x))
    d, t = both(run)
    assert d == t
    assert repr(dxdy.zeros(2, 3).shape) == "dxdy.Size([2, 3])"
    assert dxdy.zeros(2, 3).shape == (2, 3) and dxdy.Size([2, 3]).numel() == 6


def test_size_out_of_range():
    raises_like(lambda lib: lib.zeros(2, 3).size(2))


def test_item_tolist_and_python_conversions():
    def run(lib):
        x = lib.tensor([[1.5, 2.0]])
        s = lib.tensor(3.0)
        i = lib.tensor(7)
        return (x.tolist(), s.item(), float(s), int(s), bool(s), int(i), [1, 2, 3, 4, 5, 6, 7, 8][i],
                lib.tensor([True]).item())
    assert both(run)[0] == both(run)[1]


def test_item_of_many_elements_and_bool_ambiguity():
    raises_like(lambda lib: lib.ones(2).item())
    raises_like(lambda lib: bool(lib.ones(2)))
    raises_like(lambda lib: [0, 1][lib.tensor(1.0)])
    raises_like(lambda lib: len(lib.tensor(1.0)))
    raises_like(lambda lib: iter(lib.tensor(1.0)))


def test_iteration_unbinds_the_first_dim_with_gradients():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        rows = list(x)
        (rows[0] * 2 + rows[1] * 3).sum().backward()
        return x.grad
    same(*both(run))


def test_numpy_shares_memory_and_array_protocol():
    x = dxdy.zeros(3)
    a = x.numpy()
    a[0] = 5
    assert x[0].item() == 5
    assert np.asarray(x).tolist() == [5.0, 0.0, 0.0]
    for lib in (dxdy, torch):  # as numpy(): refused for a tensor that requires grad, unless grad mode is off
        with pytest.raises(RuntimeError, match="Can't call numpy"):
            np.asarray(lib.ones(2, requires_grad=True))
        with lib.no_grad():
            assert np.asarray(lib.ones(2, requires_grad=True)).tolist() == [1.0, 1.0]
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="Can't call numpy"):
            w.numpy()
        for mode in (lib.no_grad, lib.inference_mode):
            with mode():
                w.numpy()[0] = 3  # the shared array itself
        assert w.tolist() == [3.0, 1.0]
    b = np.arange(3.0)
    t = dxdy.from_numpy(b)
    b[1] = 9
    assert t.tolist() == [0.0, 9.0, 2.0]
    for lib in (dxdy, torch):  # arrays and tensors do not mix in arithmetic (NumPy scalars do)
        with pytest.raises(TypeError):
            np.ones(3) * lib.ones(3)
        assert (lib.ones(2) + np.float64(2)).tolist() == [3.0, 3.0]


def test_data_attribute_shares_memory_and_is_detached():
    w = dxdy.ones(2, requires_grad=True)
    d = w.data
    assert not d.requires_grad and d.is_leaf
    d.add_(1)
    assert w.tolist() == [2.0, 2.0]
    w.data = dxdy.zeros(2)
    assert w.tolist() == [0.0, 0.0] and w.requires_grad


def test_grad_setter_checks_shape_and_type():
    x = dxdy.ones(2, requires_grad=True)
    x.grad = dxdy.tensor([1.0, 2.0])
    assert x.grad.tolist() == [1.0, 2.0]
    x.grad = None
    assert x.grad is None
    raises_like(lambda lib: setattr(lib.ones(2, requires_grad=True), "grad", lib.ones(3)))
    raises_like(lambda lib: setattr(lib.ones(2, requires_grad=True), "grad", lib.ones(2, dtype=lib.float64)))


def test_detach_and_detach_():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        d = y.detach()
        d2 = (x * 3).detach_()
        return d.requires_grad, d.is_leaf, d2.requires_grad, d2.grad_fn is None, y.requires_grad
    assert both(run)[0] == both(run)[1]
    x = dxdy.ones(2)
    d = x.detach()
    d.add_(1)
    assert x.tolist() == [2.0, 2.0] and x._version == d._version == 1


def test_requires_grad_flags():
    def run(lib):
        x = lib.zeros(2)
        a = x.requires_grad
        x.requires_grad_()
        b = x.requires_grad
        y = x * 2
        return a, b, y.requires_grad, y.is_leaf, x.is_leaf, lib.ones(2).requires_grad_(False).requires_grad
    assert both(run)[0] == both(run)[1]


def test_conversions_to_dtypes():
    def run(lib):
        x = lib.tensor([1.7, -2.5], requires_grad=True)
        outs = [x.double(), x.float(), x.half(), x.long(), x.int(), x.bool(), x.to(lib.float64),
                x.to(dtype=lib.int16), x.type_as(lib.ones(1, dtype=lib.float64)), x.to(lib.ones(1, dtype=lib.int8))]
        return outs, x.float() is x, x.to(lib.float32) is x, x.double().grad_fn.name()
    (d, dsame, dsame2, dn), (t, tsame, tsame2, tn) = both(run)
    for a, b in zip(d, t):
        same(a, b)
    assert (dsame, dsame2, dn) == (tsame, tsame2, tn)
    assert dxdy.ones(2).type() == "dxdy.FloatTensor"


def test_clone_contiguous_and_gradients_through_them():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        c = x.clone()
        t = x.t().contiguous()
        (c * t).sum().backward()
        return x.grad, c.grad_fn.name(), t.grad_fn.name(), x.contiguous() is x, x.t().is_contiguous()
    (dg, *dr), (tg, *tr) = both(run)
    same(dg, tg)
    assert dr == tr


def test_T_and_mT():
    def run(lib):
        x = lib.arange(6.0).reshape(2, 3)
        b = lib.arange(24.0).reshape(2, 3, 4)
        return x.T, b.mT, x.mT
    d, t = both(run)
    for a, b in zip(d, t):
        same(a, b)


def test_pickle_and_deepcopy_keep_data_dtype_and_requires_grad():
    x = dxdy.tensor([1.0, 2.0], dtype=dxdy.float64, requires_grad=True)
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert y.tolist() == [1.0, 2.0] and y.dtype == dxdy.float64 and y.requires_grad and y.is_leaf
        assert y is not x
    z = pickle.loads(pickle.dumps(x * 2))  # a leaf now, as in PyTorch
    assert z.grad_fn is None and z.requires_grad and z.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_hash_and_identity_semantics():
    x, y = dxdy.ones(2), dxdy.ones(2)
    assert len({x, y, x}) == 2
    assert (x == y).tolist() == [True, True]
    assert (x == None) is False  # noqa: E711


def test_new_factories_and_random_fills():
    def run(lib):
        x = lib.ones(2, dtype=lib.float64)
        return [x.new_zeros(3), x.new_ones((2, 2)), x.new_full((2,), 7.0), x.new_tensor([1, 2]), x.new_empty(0)]
    for a, b in zip(*both(run)):
        same(a, b)
    x = dxdy.empty(1000)
    x.uniform_(-1, 2)
    assert -1 <= x.min().item() and x.max().item() < 2
    x.normal_(5, 0.1)
    assert abs(x.mean().item() - 5) < 0.05


def test_format_of_zero_dim_tensors():
    def run(lib):
        return f"{lib.tensor(3.14159):.2f}", f"{lib.tensor(2)}", str(lib.tensor(1.5))
    assert both(run)[0] == both(run)[1]


@pytest.mark.parametrize("expr", ["a + b", "b + a", "a * 2", "a + a", "a - b", "c * d", "d * c", "torch.maximum(a, b)",
                                  "a / b", "a + b[0]"])
def test_a_result_takes_the_layout_pytorch_gives_it(expr):
    # PyTorch lays the result out as its first operand when the operands' layouts differ; NumPy in C order.
    def run(lib):
        env = {"torch": lib, "a": lib.ones(2, 3).T, "b": lib.ones(3, 2), "c": lib.ones(2, 3, 4).permute(2, 0, 1),
               "d": lib.ones(4, 2, 3)}
        r = eval(expr, env)
        return r.is_contiguous(), r.stride()
    assert run(dxdy) == run(torch)

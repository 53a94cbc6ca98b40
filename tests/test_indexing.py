"""x[key] and x[key] = value, checked against PyTorch: values, dtypes, grad_fn names, gradients,
views and version counters, and the errors for bad keys."""
import numpy as np
import pytest
import torch

import dxdy

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5))
MASK2 = X[:, :, 0] > 0
MASK1 = np.array([True, False, True])


def both(fn):
    """fn(lib) for torch and for dxdy."""
    return fn(torch), fn(dxdy)


def assert_same(d, t, what="value"):
    assert isinstance(d, dxdy.Tensor), what
    assert str(d.dtype).replace("dxdy.", "") == str(t.dtype).replace("torch.", ""), f"{what}: {d.dtype} vs {t.dtype}"
    assert tuple(d.shape) == tuple(t.shape), f"{what}: {tuple(d.shape)} vs {tuple(t.shape)}"
    np.testing.assert_allclose(np.asarray(d.detach()._data), t.detach().numpy(), rtol=1e-12, atol=1e-12,
                               err_msg=what)


# Each key is a function of the library, so that tensors in it are that library's.
KEYS = {
    "int": lambda L: 1,
    "negative-int": lambda L: -1,
    "ints": lambda L: (0, -2),
    "slice": lambda L: slice(1, 3),
    "slice-step": lambda L: slice(None, None, 2),
    "slices-steps": lambda L: (slice(0, 3, 2), slice(1, None, 3)),
    "slice-past-end": lambda L: slice(2, 10),
    "empty-slice": lambda L: slice(2, 1),
    "None": lambda L: None,
    "None-int": lambda L: (None, 0, None),
    "ellipsis": lambda L: Ellipsis,
    "two-ellipses": lambda L: (Ellipsis, 0, Ellipsis),
    "ellipsis-int": lambda L: (Ellipsis, 0),
    "int-ellipsis-None": lambda L: (0, Ellipsis, None),
    "empty-tuple": lambda L: (),
    "0-d-int-tensor": lambda L: L.tensor(1),
    "0-d-int-tensors": lambda L: (L.tensor(1), L.tensor(-2)),
    "slice-0-d-tensor": lambda L: (slice(None), L.tensor(1)),
    "int-tensor-repeated": lambda L: L.tensor([0, 2, 0]),
    "int-list-repeated": lambda L: [0, 2, 0, 0],
    "negative-list": lambda L: [-1, 0],
    "2-d-int-tensor": lambda L: L.tensor([[0, 1], [1, 1]]),
    "two-lists": lambda L: ([0, 1, 1], [1, 2, 2]),
    "lists-broadcast": lambda L: (L.tensor([[0], [2]]), L.tensor([1, 3, 1])),
    "slice-list": lambda L: (slice(None), [3, 0, 3]),
    "int-list": lambda L: (0, [1, 2]),
    "list-slice-list": lambda L: ([0, 2], slice(None), [1, 4]),
    "slice-list-slice": lambda L: (slice(1, 3), [0, 0], slice(None, None, 2)),
    "None-tensor": lambda L: (None, L.tensor([0, 1])),
    "ellipsis-list": lambda L: (Ellipsis, [0, 4]),
    "tuple-in-tuple": lambda L: ((0, 1),),
    "mask-1d": lambda L: L.tensor(MASK1),
    "mask-2d": lambda L: L.tensor(MASK2),
    "slice-mask": lambda L: (slice(None), L.tensor([True, False, True, True])),
    "mask-int": lambda L: (L.tensor(MASK1), 2),
    "mask-list": lambda L: (L.tensor(MASK1), [1, 0]),
    "all-false-mask": lambda L: L.tensor([False, False, False]),
    "True": lambda L: True,
    "False": lambda L: False,
    "int-True": lambda L: (0, True),
}


@pytest.mark.parametrize("name", KEYS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_getitem_matches_torch(name, dtype):
    key = KEYS[name]
    t_x = torch.tensor(X.astype(dtype), requires_grad=True)
    d_x = dxdy.tensor(X.astype(dtype), requires_grad=True)
    t_y, d_y = t_x[key(torch)], d_x[key(dxdy)]
    assert_same(d_y, t_y)
    assert d_y.grad_fn.name() == t_y.grad_fn.name().replace("torch::", "dxdy::")
    v = RNG.standard_normal(tuple(t_y.shape)).astype(dtype)
    (t_g,) = torch.autograd.grad(t_y, t_x, torch.tensor(v), create_graph=True)
    (d_g,) = dxdy.autograd.grad(d_y, d_x, dxdy.tensor(v), create_graph=True)
    assert_same(d_g, t_g, "gradient")


@pytest.mark.parametrize("name", ["int", "slices-steps", "int-tensor-repeated", "lists-broadcast", "mask-2d"])
def test_getitem_double_backward(name):
    # The gradient of x[key] is linear in the cotangent: differentiate it with respect to that.
    key = KEYS[name]
    outs = []
    for L in (torch, dxdy):
        x = L.tensor(X, requires_grad=True)
        y = x[key(L)]
        v = L.tensor(np.ones(tuple(y.shape)), requires_grad=True)
        (g,) = L.autograd.grad(y, x, v, create_graph=True)
        (gv,) = L.autograd.grad((g * L.tensor(X)).sum(), v)
        outs.append(gv)
    assert_same(outs[1], outs[0], "d(grad)/d(cotangent)")


def test_getitem_int_dtypes_and_0d():
    for values in (np.arange(12).reshape(3, 4), np.arange(12).reshape(3, 4) > 2):
        t_y, d_y = both(lambda L: L.tensor(values)[1:, [0, 1]])
        assert_same(d_y, t_y)
    t_y, d_y = both(lambda L: L.tensor(2.5)[None])
    assert_same(d_y, t_y)
    t_y, d_y = both(lambda L: L.tensor(2.5)[...])
    assert_same(d_y, t_y)
    t_y, d_y = both(lambda L: L.tensor(2.5)[L.tensor(True)])
    assert_same(d_y, t_y)


def test_repeated_indices_accumulate():
    grads = []
    for L in (torch, dxdy):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x[[0, 0, 2, 0]] * L.tensor([1.0, 2.0, 3.0, 4.0])
        y.sum().backward()
        grads.append(x.grad)
    assert_same(grads[1], grads[0])
    assert grads[1].tolist() == [7.0, 0.0, 3.0]


# -- views ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["int", "slice-step", "ints", "ellipsis-int", "None-int", "0-d-int-tensor",
                                  "int-tensor-repeated", "mask-1d", "two-lists"])
def test_basic_indexing_is_a_view(name):
    # Writing into x[key] changes x exactly when PyTorch's x[key] is a view; versions move together.
    key = KEYS[name]
    results = []
    for L in (torch, dxdy):
        x = L.tensor(X.copy())
        y = x[key(L)]
        y.add_(100.0)
        results.append((x, y, x._version, y._version))
    (tx, ty, tvx, tvy), (dx, dy, dvx, dvy) = results
    assert_same(dx, tx, "x after writing into x[key]")
    assert_same(dy, ty, "x[key] after writing into it")
    assert (dvx, dvy) == (tvx, tvy)


def test_write_through_row_changes_x():
    x = dxdy.zeros(2, 3)
    row = x[0]
    row[1] = 5.0
    assert x.tolist() == [[0.0, 5.0, 0.0], [0.0, 0.0, 0.0]]
    x[1, 2] = 7.0
    assert row.tolist() == [0.0, 5.0, 0.0] and x[1].tolist() == [0.0, 0.0, 7.0]
    assert x._version == row._version == 2


def test_view_of_saved_tensor_is_checked():
    # Changing a view of a tensor that backward needs is caught, as in PyTorch.
    msgs = []
    for L in (torch, dxdy):
        a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 1
        c = b * b  # saves b
        with L.no_grad():
            b[0].mul_(2)
        with pytest.raises(RuntimeError) as e:
            c.sum().backward()
        msgs.append(str(e.value))
    assert "modified by an inplace operation" in msgs[1] and "is at version 1; expected version 0" in msgs[1]


# -- __setitem__ -------------------------------------------------------------------------------------
# (key, value) as functions of the library
SETS = {
    "int-scalar": (lambda L: 1, lambda L: 2.5),
    "negative-int-scalar": (lambda L: -1, lambda L: -3),
    "slice-step-scalar": (lambda L: (slice(None), slice(0, 4, 2)), lambda L: 0.5),
    "ellipsis-tensor": (lambda L: (Ellipsis, 0), lambda L: L.tensor(np.arange(12.0).reshape(3, 4))),
    "broadcast-row": (lambda L: slice(0, 2), lambda L: L.tensor(np.arange(5.0))),
    "broadcast-column": (lambda L: 0, lambda L: L.tensor(np.arange(4.0).reshape(4, 1))),
    "0-d-tensor": (lambda L: (1, 2), lambda L: L.tensor(-1.5)),
    "mask-scalar": (lambda L: L.tensor(MASK2), lambda L: 0.0),
    "mask-values": (lambda L: L.tensor(MASK2), lambda L: L.tensor(np.arange(float(MASK2.sum()))[:, None])),
    "mask-1d-tensor": (lambda L: L.tensor(MASK1), lambda L: L.tensor(np.ones((4, 5)))),
    "index-list": (lambda L: [2, 0], lambda L: L.tensor(np.arange(40.0).reshape(2, 4, 5))),
    "index-tensors": (lambda L: (L.tensor([0, 2]), slice(None), L.tensor([1, 4])), lambda L: 9.0),
    "0-d-index": (lambda L: L.tensor(2), lambda L: L.tensor(np.arange(5.0))),
    "int-dtype-value": (lambda L: 0, lambda L: L.tensor(np.ones((4, 5), np.int64))),
}


@pytest.mark.parametrize("name", SETS)
def test_setitem_on_plain_tensor(name):
    key, value = SETS[name]
    results = []
    for L in (torch, dxdy):
        x = L.tensor(X.copy())
        x[key(L)] = value(L)
        results.append((x, x._version))
    assert_same(results[1][0], results[0][0])
    assert results[1][1] == results[0][1] == 1


@pytest.mark.parametrize("name", [n for n in SETS if n != "int-dtype-value"])
def test_setitem_in_graph(name):
    # x = a * 2 (a non-leaf); x[key] = v (computed from a leaf w); gradients to a and w match PyTorch.
    key, value = SETS[name]
    results = []
    for L in (torch, dxdy):
        a = L.tensor(X.copy(), requires_grad=True)
        x = a * 2
        val = value(L)
        w = None
        if isinstance(val, L.Tensor):
            w = val.double().requires_grad_()
            val = w * 3
        x[key(L)] = val
        loss = (x * L.tensor(X)).sum()
        inputs = [a] if w is None else [a, w]
        grads = L.autograd.grad(loss, inputs, create_graph=True)
        results.append((x, x.grad_fn.name(), grads))
    (tx, tname, tg), (dx, dname, dg) = results
    assert_same(dx, tx)
    assert dname == tname.replace("torch::", "dxdy::")
    for d, t in zip(dg, tg):
        assert_same(d, t, "gradient")


def test_setitem_second_order():
    results = []
    for L in (torch, dxdy):
        a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = L.tensor(1.5, requires_grad=True)
        x = a * a
        x[1] = w * w * a[0]
        (ga,) = L.autograd.grad((x * x).sum(), a, create_graph=True)
        results.append(L.autograd.grad(ga.sum(), [a, w]))
    for d, t in zip(results[1], results[0]):
        assert_same(d, t)


def test_setitem_leaf_that_requires_grad_is_refused():
    for L in (torch, dxdy):
        x = L.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            x[0] = 1.0
        with L.no_grad():
            x[0] = 1.0  # allowed without grad mode
        assert x.tolist() == [1.0, 0.0, 0.0] and x.grad_fn is None


def test_setitem_value_requiring_grad_into_plain_tensor():
    results = []
    for L in (torch, dxdy):
        x = L.zeros(2, 3)
        w = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x[1] = w * 2
        assert x.requires_grad and x.grad_fn.name().endswith("::autograd::CopySlices")
        x.sum().backward()
        results.append(w.grad)
    assert_same(results[1], results[0])


# -- errors ------------------------------------------------------------------------------------------
ERRORS = {
    "int-out-of-range": lambda L, x: x[3],
    "negative-out-of-range": lambda L, x: x[0, -5],
    "too-many-indices": lambda L, x: x[0, 0, 0, 0],
    "too-many-with-ellipsis": lambda L, x: x[0, ..., 0, 0, 0],
    "list-out-of-range": lambda L, x: x[[0, 3]],
    "tensor-out-of-range": lambda L, x: x[:, L.tensor([4, -5])],
    "mask-shape": lambda L, x: x[L.tensor([True, False])],
    "mask-2d-shape": lambda L, x: x[L.tensor(np.ones((3, 5), bool))],
    "float-index": lambda L, x: x[L.tensor([0.0])],
    "negative-step": lambda L, x: x[::-1],
    "zero-step": lambda L, x: x[::0],
    "setitem-out-of-range": lambda L, x: x.__setitem__((0, 9), 1.0),
    "setitem-shape": lambda L, x: x.__setitem__(0, L.ones(3, 5)),
    "setitem-too-many-dims": lambda L, x: x.__setitem__((0, slice(None)), L.ones(2, 4, 5)),
    "setitem-advanced-shape": lambda L, x: x.__setitem__([0, 1], L.ones(3, 5)),
    "setitem-mask-shape": lambda L, x: x.__setitem__(L.tensor(MASK1), L.ones(3, 5)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_index_errors_match_torch(name):
    caught = []
    for L in (torch, dxdy):
        x = L.tensor(X.copy())
        with pytest.raises(Exception) as e:
            ERRORS[name](L, x)
        caught.append(e)
    t, d = caught
    assert d.type.__name__ == t.type.__name__, f"{d.type.__name__}: {d.value} vs {t.type.__name__}: {t.value}"
    assert str(d.value) == str(t.value)

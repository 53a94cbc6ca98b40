"""The cheap paths of the generic op machinery give what the general paths give: plain index keys, views
made without a graph, NumPy's faster spellings in numpy_ns, integer range checks, and nll_loss's targets
of weight one; checked against PyTorch and NumPy."""
import itertools

import numpy as np
import pytest
import torch

import dxdy
from dxdy.ops import _xp
from dxdy.ops._xp import numpy_ns as xp

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4))

# Items of a key: ints in and out of bounds, slices of every kind, None, Ellipsis.
ITEMS = [0, 1, -1, 2, -3, 4, slice(None), slice(1, None), slice(None, None, 2), slice(-2, 9), None, Ellipsis]


def _run(lib, data, key, requires_grad):
    x = lib.tensor(data, requires_grad=requires_grad)
    try:
        y = x[key]
    except Exception as e:  # noqa: BLE001 (the error is what is compared)
        return type(e).__name__, str(e)
    return y.detach().numpy().tolist(), tuple(y.shape), y.grad_fn.name().split("::")[-1] if y.grad_fn else None


def _node_name(items):
    # PyTorch names the node after the last view the key applies.
    name = "AliasBackward0"
    for i in items:
        if type(i) is int:
            name = "SelectBackward0"
        elif isinstance(i, slice) and i != slice(None):
            name = "SliceBackward0"
        elif i is None:
            name = "UnsqueezeBackward0"
    return name


def _general(key):
    # The same key with NumPy ints (in slices too), which normalize_key converts: its general path.
    def item(i):
        if type(i) is int:
            return np.int64(i)
        if isinstance(i, slice):
            return slice(*(np.int64(v) if type(v) is int else v for v in (i.start, i.stop, i.step)))
        return i
    return tuple(item(i) for i in (key if isinstance(key, tuple) else (key,)))


@pytest.mark.parametrize("shape", [(4,), (2, 3)])  # keys of up to three items index too many dims of these
@pytest.mark.parametrize("n", [1, 2, 3])
def test_plain_keys_index_as_the_general_path_and_pytorch(shape, n):
    data = X.reshape(-1)[:np.prod(shape)].reshape(shape)
    checked = 0
    for items in itertools.product(ITEMS, repeat=n):
        key = items[0] if n == 1 else items
        got = _run(dxdy, data, key, requires_grad=True)
        assert _run(dxdy, data, _general(key), requires_grad=True) == got, key  # errors and their messages too
        assert _run(dxdy, data, key, requires_grad=False)[:2] == got[:2], key
        if items.count(Ellipsis) > 1:
            continue  # (PyTorch 2.13 refuses a second Ellipsis, which dxdy reads as no dims)
        want = _run(torch, data, key, requires_grad=True)
        assert got[:2] == want[:2] if isinstance(want[0], list) else got[0] == want[0], (key, got, want)
        if isinstance(got[0], list):
            assert got[2] == _node_name(items), key
        checked += 1
    assert checked > 0.8 * len(ITEMS) ** n


def _view_story(lib):
    w = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    base = lib.tensor([5.0, 6.0, 7.0, 8.0])  # no grad: its views are made without a graph
    row, part = base[1], base[1:3]
    part.mul_(2)  # through a view: the base and every view see it
    versions = (base._version, row._version, part._version)
    base.mul_(w)  # the base's history changes: the views take the new one
    (row * 3 + part.sum()).backward()
    with lib.no_grad():
        frozen = w[0:2]
    try:
        frozen.mul_(2)
        refused = None
    except RuntimeError as e:
        refused = type(e).__name__
    return (base.detach().tolist(), row.detach().tolist(), part.detach().tolist(), versions,
            row.grad_fn.name().split("::")[-1], part.grad_fn.name().split("::")[-1], w.grad.tolist(), refused)


def test_views_made_without_a_graph_behave_as_pytorchs():
    assert _view_story(dxdy) == _view_story(torch)


def _same(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def _arrays():
    for shape in [(3,), (2, 3), (2, 1, 4), (0, 3)]:
        yield RNG.standard_normal(shape)
    yield np.asarray(RNG.standard_normal((3, 4)), order="F")
    yield RNG.standard_normal((4, 6))[::2, 1::2]  # not contiguous


def test_numpy_ns_spellings_equal_numpys():
    for a in _arrays():
        for axis in [None, *range(-a.ndim, a.ndim)]:
            for keepdims in (False, True):
                if a.size or axis is not None and a.shape[axis]:
                    if axis is None and not a.size:
                        continue
                    _same(xp.argmax(a, axis=axis, keepdims=keepdims), np.argmax(a, axis=axis, keepdims=keepdims))
                    _same(xp.argmin(a, axis, keepdims=keepdims), np.argmin(a, axis, keepdims=keepdims))
        for axes in [None, tuple(reversed(range(a.ndim)))]:
            got, want = xp.transpose(a, axes), np.transpose(a, axes)
            _same(got, want)
            assert got.strides == want.strides
        for shape in [(-1,), (a.size,), (1, -1)]:
            for order in ("C", "F"):
                _same(xp.reshape(a, shape, order=order), np.reshape(a, shape, order=order))
        _same(xp.reshape(a, shape=(-1,), copy=True), np.reshape(a, (-1,), copy=True))
        for axis in range(-a.ndim - 1, a.ndim + 1):
            got, want = xp.expand_dims(a, axis), np.expand_dims(a, axis)
            _same(got, want)
            assert got.strides == want.strides and np.shares_memory(got, a) == np.shares_memory(want, a)
            _same(xp.expand_dims(a, (axis,)), np.expand_dims(a, (axis,)))
        with pytest.raises(np.exceptions.AxisError):
            xp.expand_dims(a, a.ndim + 1)
        if a.ndim >= 2:
            _same(xp.swapaxes(a, 0, -1), np.swapaxes(a, 0, -1))
        for axis in [None] + [k for k in range(a.ndim) if a.shape[k] == 1]:
            _same(xp.squeeze(a, axis), np.squeeze(a, axis))
        for axis in range(-a.ndim, a.ndim):
            for bounds in ([], [1], [0, 2], [3, 1], [-1], [2, 2, 9]):
                got, want = xp.split(a, bounds, axis), np.split(a, bounds, axis)
                assert len(got) == len(want)
                for g, w in zip(got, want):
                    _same(g, w)
                    assert g.strides == w.strides
            if a.shape[axis]:
                shape = list(a.shape)
                shape[axis] = 2
                index = RNG.integers(-a.shape[axis], a.shape[axis], shape)
                _same(xp.take_along_axis(a, index, axis), np.take_along_axis(a, index, axis))
    _same(xp.squeeze(np.float64(2.0)), np.squeeze(np.float64(2.0)))
    _same(xp.reshape(np.float32(2.0), (1, 1)), np.reshape(np.float32(2.0), (1, 1)))


def test_index_helpers_equal_numpys():
    for shape in [(), (3,), (2, 3), (2, 1, 4), (0, 2)]:
        want = np.indices(shape, sparse=True)
        got = _xp.sparse_indices(shape)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
    index = RNG.integers(0, 3, (2, 4))
    for dim in (0, 1, -1):
        key = _xp.positions(index, dim)
        full = list(np.indices(index.shape, sparse=True))
        full[dim] = index
        assert len(key) == len(full) and all(np.array_equal(k, f) for k, f in zip(key, full))
    for a in [np.array(7), np.array([3, -2, 9]), RNG.integers(-50, 50, 200), RNG.integers(0, 5, (10, 10)),
              np.array([2**62, -2**62], np.int64), np.array([200, 3], np.uint8)]:
        assert _xp.int_range(a) == (int(a.min()), int(a.max()))
        assert all(type(v) is int for v in _xp.int_range(a))


def _losses(lib, logits, targets, ignore_index, reduction):
    x = lib.tensor(logits, requires_grad=True)
    t = lib.tensor(targets)
    results = []
    for loss in (lib.nn.functional.cross_entropy, lib.nn.functional.nll_loss):
        try:
            y = loss(x, t, ignore_index=ignore_index, reduction=reduction)
        except Exception as e:  # noqa: BLE001 (a target out of bounds: the same error)
            results.append((type(e).__name__, str(e)))
            continue
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy(), y.grad_fn.name().split("::")[-1]))
        x.grad = None
    return results


@pytest.mark.parametrize("n", [3, 100])  # a short batch (read as a list) and a long one (NumPy reductions)
def test_nll_loss_of_targets_of_weight_one_is_pytorchs(n):
    logits = RNG.standard_normal((n, 5))
    for dtype in ("float32", "float64"):
        for targets in (RNG.integers(0, 5, n), np.where(np.arange(n) % 3 == 0, -100, RNG.integers(0, 5, n)),
                        np.full(n, 2), np.full(n, -100)):
            for ignore_index in (-100, 2, 7):
                for reduction in ("mean", "sum", "none"):
                    want = _losses(torch, logits.astype(dtype), targets, ignore_index, reduction)
                    got = _losses(dxdy, logits.astype(dtype), targets, ignore_index, reduction)
                    for w, g in zip(want, got):
                        if isinstance(w[0], str):
                            assert g == w
                            continue
                        assert g[2] == w[2] and g[0].dtype == w[0].dtype
                        np.testing.assert_allclose(g[0], w[0], rtol=1e-6, atol=1e-7)
                        np.testing.assert_allclose(g[1], w[1], rtol=1e-6, atol=1e-7)


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e).split("\n")[0]
    return None


@pytest.mark.parametrize("n", [4, 100])
def test_range_checks_of_index_arrays_are_pytorchs(n):
    for bad in (5, -6, 9):
        index = np.zeros(n, np.int64)
        index[n // 2] = bad
        for fn in (lambda L, i: L.tensor(X.reshape(-1)[:5])[L.tensor(i)],
                   lambda L, i: L.gather(L.tensor(X.reshape(-1)[:5]), 0, L.tensor(i)),
                   lambda L, i: L.nn.functional.nll_loss(L.tensor(RNG.standard_normal((n, 5))), L.tensor(i))):
            want = _error(lambda: fn(torch, index))
            assert want is not None
            assert _error(lambda: fn(dxdy, index)) == want

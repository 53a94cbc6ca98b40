"""The ops of tests/op_db_scans_sets_special.py beyond the op table, each against PyTorch: bad input, the in-place
index and special forms, cross's and meshgrid's deprecated defaults, special functions over a wide range."""
import warnings

import numpy as np
import pytest
import torch

import dxdy


def _both(fn):
    """fn(lib) in PyTorch and dxdy: the same result, or the same exception type and message."""
    results = []
    for lib in (torch, dxdy):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results.append(("ok", fn(lib)))
            except Exception as e:  # noqa: BLE001
                results.append((type(e).__name__, str(e).replace("torch.", "").replace("dxdy.", "")))
    return results


def _t(lib, *a, **k):
    return lib.tensor(*a, **k)


BAD = {
    "cross-size": lambda L: L.cross(_t(L, [[1., 2, 3]]), _t(L, [[1., 2]])),
    "cross-no-3": lambda L: L.cross(_t(L, [[1., 2]]), _t(L, [[1., 2]])),
    "cross-dtype": lambda L: L.cross(_t(L, [1., 2, 3]), _t(L, [1, 2, 3])),
    "cummax-dim": lambda L: L.cummax(_t(L, [1., 2]), 2),
    "logcumsumexp-long": lambda L: L.logcumsumexp(_t(L, [1, 2]), 0),
    "diff-0d": lambda L: L.diff(_t(L, 1.)),
    "diff-order": lambda L: L.diff(_t(L, [1., 2]), -1),
    "diff-prepend-dims": lambda L: L.diff(_t(L, [1., 2]), prepend=_t(L, [[1.]])),
    "meshgrid-dtypes": lambda L: L.meshgrid(_t(L, [1.]), _t(L, [1]), indexing="ij"),
    "meshgrid-empty": lambda L: L.meshgrid(indexing="ij"),
    "meshgrid-indexing": lambda L: L.meshgrid(_t(L, [1.]), indexing="xx"),
    "cartesian_prod-2d": lambda L: L.cartesian_prod(_t(L, [[1.]])),
    "nanmean-long": lambda L: L.nanmean(_t(L, [1, 2])),
    "index_add-count": lambda L: L.index_add(L.zeros(3, 2), 0, _t(L, [0]), L.ones(2, 2)),
    "index_add-slices": lambda L: L.index_add(L.zeros(3, 2), 0, _t(L, [0]), L.ones(1, 3)),
    "index_add-index-dtype": lambda L: L.index_add(L.zeros(3, 2), 0, _t(L, [0.]), L.ones(1, 2)),
    "index_add-source-dtype": lambda L: L.index_add(L.zeros(3, 2), 0, _t(L, [0]), L.ones(1, 2, dtype=L.float64)),
    "index_add-range": lambda L: L.index_add(L.zeros(3, 2), 0, _t(L, [3]), L.ones(1, 2)),
    "index_add-negative": lambda L: L.index_add(L.zeros(3, 2), 0, _t(L, [-1]), L.ones(1, 2)),
    "index_copy-count": lambda L: L.index_copy(L.zeros(3, 2), 0, _t(L, [0, 1]), L.ones(1, 2)),
    "index_copy-slices": lambda L: L.index_copy(L.zeros(3, 2), 0, _t(L, [0]), L.ones(1, 3)),
    "index_copy-range": lambda L: L.index_copy(L.zeros(3, 2), 0, _t(L, [-1]), L.ones(1, 2)),
    "index_fill-2d-value": lambda L: L.index_fill(L.zeros(3, 2), 0, _t(L, [0, 1]), _t(L, [1., 2])),
    "index_fill-index-dtype": lambda L: L.index_fill(L.zeros(3, 2), 0, _t(L, [0.]), 1.),
    "index_fill-range": lambda L: L.index_fill(L.zeros(3, 2), 0, _t(L, [5]), 1.),
    "searchsorted-side": lambda L: L.searchsorted(_t(L, [1, 2]), _t(L, [2.]), side="middle"),
    "searchsorted-opposites": lambda L: L.searchsorted(_t(L, [1, 2]), _t(L, [2.]), right=True, side="left"),
    "searchsorted-dims": lambda L: L.searchsorted(_t(L, [[1, 2]]), _t(L, [[2.], [3]])),
    "bincount-negative": lambda L: L.bincount(_t(L, [-1, 2])),
    "bincount-float": lambda L: L.bincount(_t(L, [1., 2])),
    "bincount-2d": lambda L: L.bincount(_t(L, [[1, 2]])),
    "bincount-minlength": lambda L: L.bincount(_t(L, [1, 2]), minlength=-1),
    "bincount-weights": lambda L: L.bincount(_t(L, [1, 2]), _t(L, [1.])),
    "unique-dim": lambda L: L.unique(_t(L, [[1, 2], [1, 2]]), dim=2),
    "tril_indices-float": lambda L: L.tril_indices(3, 3, dtype=L.float32),
    "rot90-1d": lambda L: L.rot90(_t(L, [1., 2])),
    "rot90-dims": lambda L: L.rot90(_t(L, [[1., 2]]), 1, [0]),
    "rot90-same-dims": lambda L: L.rot90(_t(L, [[1., 2]]), 1, [0, 0]),
    "rot90-dim-range": lambda L: L.rot90(_t(L, [[1., 2]]), 1, [0, 2]),
    "trapezoid-x-size": lambda L: L.trapezoid(_t(L, [1., 2]), _t(L, [1., 2, 3])),
    "trapezoid-0d": lambda L: L.trapezoid(_t(L, 1.)),
    "logdet-long": lambda L: L.logdet(_t(L, [[1, 2], [3, 4]])),
    "logdet-1d": lambda L: L.logdet(_t(L, [1., 2])),
    "cdist-long": lambda L: L.cdist(_t(L, [[1, 2]]), _t(L, [[1, 2]])),
    "cdist-columns": lambda L: L.cdist(_t(L, [[1., 2]]), _t(L, [[1., 2, 3]])),
    "cdist-p": lambda L: L.cdist(_t(L, [[1., 2]]), _t(L, [[1., 2]]), p=-1),
    "cdist-1d": lambda L: L.cdist(_t(L, [1., 2]), _t(L, [[1., 2]])),
    "cdist-batch": lambda L: L.cdist(L.zeros(2, 1, 2), L.zeros(3, 1, 2)),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_as_torch(name):
    (t_kind, t_msg), (d_kind, d_msg) = _both(BAD[name])
    assert t_kind != "ok"
    assert d_kind == t_kind, (d_kind, d_msg, t_msg)
    if "received an invalid combination" not in t_msg and "meshgrid: Expected 0D" not in t_msg:
        assert d_msg == t_msg


@pytest.mark.parametrize("name", ["index_add_", "index_copy_", "index_fill_"])
def test_index_ops_in_place(name):
    args = {"index_add_": (0, [0, 2], True), "index_copy_": (0, [2, 0], True), "index_fill_": (1, [1], False)}[name]
    dim, index, with_source = args
    out = []
    for lib in (torch, dxdy):
        w = lib.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
        s = lib.tensor(np.ones((2, 2)) * 5, requires_grad=True)
        x = w * 1
        extra = (s,) if with_source else (2.5,)
        r = getattr(x, name)(dim, lib.tensor(index), *extra)
        assert r is x
        (x * lib.tensor(np.arange(1.0, 7.0).reshape(3, 2))).sum().backward()
        out.append((x.detach().numpy(), w.grad.numpy(), None if s.grad is None else s.grad.numpy(),
                    x.grad_fn.name().split("::")[-1]))
    (tx, tw, ts, tn), (dx, dw, ds, dn) = out
    np.testing.assert_allclose(dx, tx)
    np.testing.assert_allclose(dw, tw)
    assert (ts is None) == (ds is None)
    if ts is not None:
        np.testing.assert_allclose(ds, ts)
    assert dn == tn


@pytest.mark.parametrize("name", ["deg2rad_", "rad2deg_", "lgamma_", "digamma_", "erfinv_", "sinc_"])
def test_special_in_place(name):
    values = [0.25, 0.5, 0.75]
    d = getattr(dxdy.tensor(values, dtype=dxdy.float64), name)()
    t = getattr(torch.tensor(values, dtype=torch.float64), name)()
    np.testing.assert_allclose(d.numpy(), t.numpy(), rtol=1e-12)


@pytest.fixture
def as_a_fresh_process():
    """dxdy's warned-once messages forgotten for the test, as in a fresh process; afterwards it remembers them
    again (with the test's own), as PyTorch, which warned them earlier in this process, does."""
    from dxdy.ops._op import _WARNED
    earlier = set(_WARNED)
    _WARNED.clear()
    yield
    _WARNED.update(earlier)


def test_cross_default_dim_warns_once_and_takes_the_first_dim_of_size_3(as_a_fresh_process):
    a, b = np.random.default_rng(0).standard_normal((2, 3, 3))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        d = dxdy.cross(dxdy.tensor(a), dxdy.tensor(b))
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        dxdy.cross(dxdy.tensor(a), dxdy.tensor(b))
    assert not again
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(d.numpy(), t.numpy())
    np.testing.assert_allclose(dxdy.tensor(a).cross(dxdy.tensor(b), dim=1).numpy(),
                               torch.tensor(a).cross(torch.tensor(b), dim=1).numpy())


def test_meshgrid_without_indexing_warns_and_is_ij(as_a_fresh_process):
    with pytest.warns(UserWarning, match="indexing argument"):
        g = dxdy.meshgrid(dxdy.arange(2), dxdy.arange(3))
    assert [tuple(t.shape) for t in g] == [(2, 3), (2, 3)]


def test_special_functions_match_torch_on_a_wide_range():
    x = np.concatenate([np.linspace(-7.9, -0.1, 40) + 0.013, np.linspace(0.01, 60, 80)])
    for name in ("lgamma", "digamma"):
        np.testing.assert_allclose(getattr(dxdy, name)(dxdy.tensor(x)).numpy(),
                                   getattr(torch, name)(torch.tensor(x)).numpy(), rtol=1e-9, atol=1e-11)
    y = np.linspace(-0.999999, 0.999999, 101)
    np.testing.assert_allclose(dxdy.erfinv(dxdy.tensor(y)).numpy(), torch.erfinv(torch.tensor(y)).numpy(),
                               rtol=1e-9, atol=1e-12)
    for n in (1, 2, 3):
        d = dxdy.ops.elementwise._np_polygamma(n, x)
        np.testing.assert_allclose(d, torch.polygamma(n, torch.tensor(x)).numpy(), rtol=1e-8)


def test_lgamma_third_derivative_matches_torch():
    for lib in (torch, dxdy):
        x = lib.tensor([0.7, 2.5, 5.0], dtype=lib.float64, requires_grad=True)
        (g1,) = lib.autograd.grad(lib.lgamma(x).sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        if lib is torch:
            expected = g3.numpy()
        else:
            np.testing.assert_allclose(g3.numpy(), expected, rtol=1e-8)

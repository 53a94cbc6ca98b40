"""The NumPy namespace the rules run against (ops/_xp.py): its faster spellings must equal NumPy's own."""
import warnings

import numpy as np
import pytest

from dxdy.ops._xp import numpy_ns as xp, reduce_axis, spread


def _arrays():
    rng = np.random.default_rng(0)
    for shape in [(256, 10), (64, 2), (7, 3), (1000, 16), (1000, 17), (40, 30, 5), (3,), (0, 4), (2, 0)]:
        for dtype in (np.float32, np.float64, np.float16, np.int32):
            a = (rng.standard_normal(shape) * 10).astype(dtype)
            if a.size and dtype in (np.float32, np.float64):
                a.flat[:: 7] = np.nan
                a.flat[3:: 11] = np.inf
            yield a


@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_axis_equals_the_ufunc_reduction(keepdims):
    checked = 0
    for a in _arrays():
        for axis in range(-a.ndim, a.ndim):
            if a.shape[axis] == 0:
                continue  # a maximum of nothing: refused (below)
            want_max = np.maximum.reduce(a, axis=axis, keepdims=keepdims)
            got_max = reduce_axis(np.maximum, a, axis, keepdims)
            np.testing.assert_array_equal(got_max, want_max)  # a maximum is exact whatever the order
            assert got_max.dtype == want_max.dtype
            want_sum = np.add.reduce(a, axis=axis, keepdims=keepdims)
            got_sum = reduce_axis(np.add, a, axis, keepdims)
            assert got_sum.shape == want_sum.shape and got_sum.dtype == want_sum.dtype
            np.testing.assert_allclose(got_sum, want_sum, rtol=1e-6 if a.dtype == np.float32 else 1e-13)
            checked += 1
    assert checked > 50


def test_reduce_axis_refuses_what_numpy_refuses():
    assert reduce_axis(np.maximum, np.zeros((0, 3)), 1).shape == (0,)  # no rows: nothing to refuse
    with pytest.raises(ValueError, match="zero-size array"):
        reduce_axis(np.maximum, np.zeros((4, 0)), 1)  # rows of nothing: no maximum


def test_sum_max_min_are_numpys():
    for a in list(_arrays()) + [np.array(3.0), [1.0, 2.0], 2.5]:
        for kw in ({}, {"axis": None}, {"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0,)}):
            if np.ndim(a) == 0 and kw.get("axis") not in (None,):
                continue
            for mine, numpys in ((xp.sum, np.sum), (xp.max, np.max), (xp.min, np.min)):
                try:
                    want = numpys(a, **kw)
                except ValueError:
                    with pytest.raises(ValueError):
                        mine(a, **kw)
                    continue
                got = mine(a, **kw)
                assert np.shape(got) == np.shape(want) and np.asarray(got).dtype == np.asarray(want).dtype
                np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("shape", [(256,), (3, 4), (5000,), (100, 100)])
def test_spread_is_broadcast_to(shape):
    g = np.array(0.25, np.float32)
    out = spread(g, shape)
    np.testing.assert_array_equal(out, np.broadcast_to(g, shape))
    assert out.dtype == g.dtype
    if np.prod(shape) > 4096:
        assert out.strides == (0,) * len(shape) and not out.flags.writeable  # big: a view, no memory
    else:
        assert out.base is None and out.flags.writeable  # small: an array of its own
    scalar = spread(np.float32(0.25), shape)  # 0-d arithmetic gives NumPy scalars
    np.testing.assert_array_equal(scalar, out)
    assert scalar.dtype == np.float32
    row = np.arange(4.0).reshape(1, 4)
    np.testing.assert_array_equal(spread(row, (3, 4)), np.broadcast_to(row, (3, 4)))


def test_mean_is_numpys_mean_without_its_empty_slice_warning():
    from dxdy.ops._xp import mean
    rng = np.random.default_rng(0)
    for dtype in (np.float16, np.float32, np.float64):
        for shape, axis in [((5, 7), None), ((5, 7), 0), ((5, 7), (0, 1)), ((0, 3), 0), ((0, 3), 1), ((3, 0), None),
                            ((), None), ((4, 1000), 1)]:
            a = rng.standard_normal(shape).astype(dtype)
            for keepdims in (False, True):
                with warnings.catch_warnings(record=True) as log:
                    ours = mean(a, axis, keepdims)
                assert not log
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    numpys = np.mean(a, axis=axis, keepdims=keepdims)
                assert np.asarray(ours).dtype == np.asarray(numpys).dtype and np.shape(ours) == np.shape(numpys)
                assert np.array_equal(ours, numpys, equal_nan=True)

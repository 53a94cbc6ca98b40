"""Op table rows: scans along a dim (cummax, cummin, logcumsumexp, diff, trapezoid, nanmean), set and search
ops (isin, searchsorted, bincount, unique), the index_add/copy/fill family, special functions (lgamma, digamma,
erfinv, sinc, deg2rad), grids and products (meshgrid, cartesian_prod, kron, cross, rot90, diagflat, tril/triu
indices), determinants (logdet, slogdet) and cdist."""
import numpy as np

from op_info import OpInfo, Sample, NoGrad
from op_db_elementwise import unary


def S(*args, name="", **kwargs):
    return Sample(tuple(args), kwargs, name=name)


def _int(make, shape, lo=-4, hi=5, dtype="int64"):
    return make(shape, lo, hi, dtype=dtype)


def _ascending(make, shape):
    """Sorted along the last dim with neighbours 0.1 or more apart, so that the fuzzer's perturbations
    (under 0.05) keep the order: searchsorted of an unsorted sequence is undefined, differently so in
    each library."""
    return (np.cumsum(make.rng.uniform(0.1, 1.0, shape), axis=-1) - 2).astype(make.dtype)


def _searchsorted_with_sorter(make):
    seq = make.rng.permutation(_ascending(make, (5,)))
    return S(seq, make((3,)), sorter=np.argsort(seq), name="sorter")


def _well_conditioned(make, shape, dtype):
    return (make(shape) + 3.0 * np.eye(shape[-1])).astype(dtype)


def _positive_definite(make, shape, dtype):
    a = make(shape)
    return (a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])).astype(dtype)


def _idx(*values):
    return np.array(values, dtype=np.int64)


def _with_nan(make, shape):
    a = make(shape)
    a.reshape(-1)[::3] = np.nan
    return a


INTS = ("int64",)


def _cum(make, dtype):
    return [S(make((5,)), 0), S(make((3, 4)), 1), S(make((3, 4)), 0), S(make(()), 0, name="0-d"),
            S(make((0, 3)), 1, name="empty"), S(make.noncontig((3, 4)), -1, name="noncontig")]


def _cum_ints(make, dtype):
    return [S(_int(make, (3, 5), -2, 3), 1), S(_int(make, (4,), -2, 3), 0)]


def _diff(make, dtype):
    return [S(make((5,))), S(make((3, 4)), 2, 0), S(make((3, 4)), 1, -1, make((3, 1)), make((3, 2))),
            S(make((2, 3)), prepend=make((1, 3)), dim=0, name="prepend"), S(make((0, 3)), name="empty"),
            S(make.noncontig((3, 4)), name="noncontig"), S(make((4,)), 0, name="n=0"), S(make((3,)), 5, name="n>size")]


def _index_add(make, dtype):
    return [S(make((5, 3)), 0, _idx(0, 2, 2), make((3, 3))), S(make((2, 4)), 1, _idx(3, 0), make((2, 2)), alpha=2.0),
            S(make((4,)), 0, _idx(1, 3), make((2,)), name="1-d"), S(make(()), 0, _idx(0), make(()), name="0-d"),
            S(make((3, 0)), 0, _idx(2), make((1, 0)), name="empty"),
            S(make.noncontig((4, 3)), 1, _idx(2, 0), make((4, 2)), name="noncontig")]


def _index_copy(make, dtype):
    return [S(make((5, 3)), 0, _idx(4, 0, 2), make((3, 3))), S(make((2, 4)), 1, _idx(3, 0), make((2, 2))),
            S(make(()), 0, _idx(0), make(()), name="0-d"),
            S(make.noncontig((4, 3)), 1, _idx(2, 0), make((4, 2)), name="noncontig")]


def _index_fill(make, dtype):
    return [S(make((5, 3)), 0, _idx(4, 0, -1), -1.5), S(make((2, 4)), 1, _idx(3, 0), make(()), name="tensor-value"),
            S(make(()), 0, _idx(0), 2.0, name="0-d"), S(make.noncontig((4, 3)), 1, _idx(2,), 0.5, name="noncontig")]


def _cdist(make, dtype):
    return [S(make((3, 4)), make((5, 4))), S(make((3, 4)), make((5, 4)), 1.0), S(make((3, 4)), make((2, 4)), 0.0),
            S(make((3, 4)), make((2, 4)), float("inf")), S(make((3, 4)), make((2, 4)), 3.0),
            S(make((3, 4)), make((2, 4)), 0.5), S(make((2, 3, 4)), make((1, 5, 4)), name="batch-broadcast"),
            S(make((0, 4)), make((2, 4)), name="empty"), S(make.noncontig((3, 2)), make((2, 2)), name="noncontig")]


SCANS_SETS_SPECIAL = [
    OpInfo("cross", lambda make, dtype: [
        S(make((4, 3)), make((4, 3)), 1), S(make((2, 1, 3)), make((1, 4, 3)), -1, name="broadcast"),
        S(make((3, 2)), make((3, 2)), name="default-dim"), S(make((3,)), make((3,)), dim=0),
        S(make.noncontig((3, 4)), make((3, 4)), 0, name="noncontig")]),
    OpInfo("cummax", _cum), OpInfo("cummin", _cum),
    OpInfo("cummax", _cum_ints, dtypes=INTS, grad=False), OpInfo("cummin", _cum_ints, dtypes=INTS, grad=False),
    OpInfo("logcumsumexp", _cum),
    OpInfo("deg2rad", unary()), OpInfo("rad2deg", unary()),
    OpInfo("lgamma", unary(lo=0.2, hi=4.0)),
    OpInfo("lgamma", lambda make, dtype: [S(make((2, 3), -2.9, -2.1), name="negative")]),
    OpInfo("digamma", unary(lo=0.2, hi=4.0)),
    OpInfo("digamma", lambda make, dtype: [S(make((2, 3), -2.9, -2.1), name="negative"),
                                           S(make((4,), 8.0, 30.0), name="large")]),
    OpInfo("erfinv", unary(lo=-0.9, hi=0.9, ints=False)),
    OpInfo("sinc", unary()),
    OpInfo("sinc", lambda make, dtype: [S(np.array([0.0, 0.5, -1.0], dtype=dtype), name="zero")]),
    OpInfo("diagflat", lambda make, dtype: [S(make((3,))), S(make((2, 2)), 1), S(make(()), name="0-d"),
                                            S(make((0,)), -1, name="empty")]),
    OpInfo("diff", _diff),
    OpInfo("diff", lambda make, dtype: [S(_int(make, (3, 4))), S(make((5,), dtype="bool"), name="bool")],
           dtypes=INTS, grad=False),
    OpInfo("meshgrid", lambda make, dtype: [
        S(make((3,)), make((4,)), indexing="ij"), S(make((3,)), make((4,)), indexing="xy"),
        S(make((2,)), make(()), make((3,)), indexing="ij", name="three"),
        S([make((2,)), make((3,))], indexing="xy", name="list"), S(make((0,)), make((2,)), indexing="ij")],
        method=False),
    OpInfo("cartesian_prod", lambda make, dtype: [S(make((3,)), make((2,))), S(make((2,)), make((1,)), make((3,))),
                                                  S(make((3,)), name="one")], method=False),
    OpInfo("kron", lambda make, dtype: [S(make((2, 3)), make((3, 2))), S(make((2,)), make((2, 3))),
                                        S(make(()), make((3,))), S(make((2, 0)), make((2, 2)))]),
    OpInfo("kron", lambda make, dtype: [S(_int(make, (2, 2)), _int(make, (2,)))], dtypes=INTS, grad=False),
    OpInfo("nanmean", lambda make, dtype: [
        S(make((2, 3))), S(_with_nan(make, (3, 4)), 1), S(_with_nan(make, (3, 4)), (0, 1), True),
        S(make(())), S(make((0, 3)), 1, name="empty"), S(make.noncontig((3, 2)), 0, name="noncontig")]),
    OpInfo("index_add", _index_add), OpInfo("index_copy", _index_copy), OpInfo("index_fill", _index_fill),
    OpInfo("index_add", lambda make, dtype: [S(_int(make, (4, 2)), 0, _idx(1, 1), _int(make, (2, 2)))],
           dtypes=INTS, grad=False),
    OpInfo("isin", lambda make, dtype: [
        S(_int(make, (3, 4)), _int(make, (5,))), S(_int(make, (6,)), _int(make, (2, 2)), invert=True),
        S(_int(make, ()), _int(make, (3,))), S(2, _int(make, (3,)), name="scalar-elements"),
        S(_int(make, (4,)), 1, name="scalar-test"), S(_int(make, (0, 2)), _int(make, (3,)), name="empty")],
        dtypes=INTS, grad=False, method=False),
    OpInfo("isin", lambda make, dtype: [S(np.array([1.0, 2.5, np.nan], dtype), np.array([2.5, 1.0], dtype))],
           grad=False, method=False),
    OpInfo("searchsorted", lambda make, dtype: [
        S(_ascending(make, (6,)), make((3, 2))), S(_ascending(make, (6,)), make((4,)), right=True),
        S(_ascending(make, (2, 5)), make((2, 3)), side="right"), S(_ascending(make, (5,)), 0.5, name="scalar"),
        S(_ascending(make, (5,)), make((4,)), out_int32=True), S(_ascending(make, (5,)), make((0,)), name="empty"),
        _searchsorted_with_sorter(make)], grad=False, method=False),
    OpInfo("searchsorted", lambda make, dtype: [S(_idx(1, 3, 3, 5), _idx(3, 0, 6)),
                                                S(_idx(1, 3, 3, 5), _idx(3, 0, 6), side="right")],
           dtypes=INTS, grad=False, method=False),
    OpInfo("bincount", lambda make, dtype: [
        S(_int(make, (10,), 0, 5)), S(_int(make, (6,), 0, 3), minlength=7),
        S(_int(make, (6,), 0, 4), NoGrad(make((6,), dtype="float32")), name="weights32"),
        S(_int(make, (6,), 0, 4), weights=NoGrad(make((6,), dtype="float64")), name="weights64"),
        S(_int(make, (0,), 0, 4), name="empty")], dtypes=INTS, grad=False),
    OpInfo("unique", lambda make, dtype: [
        S(_int(make, (3, 4), 0, 4)), S(_int(make, (3, 4), 0, 4), return_inverse=True, return_counts=True),
        S(_int(make, (), 0, 4), return_inverse=True, name="0-d"),
        S(_int(make, (4, 2), 0, 2), dim=0, return_inverse=True, return_counts=True, name="dim0"),
        S(_int(make, (2, 5), 0, 2), dim=1, return_counts=True, name="dim1"),
        S(_int(make, (0, 2), 0, 2), return_counts=True, name="empty")], dtypes=INTS, grad=False),
    OpInfo("unique", lambda make, dtype: [S(np.round(make((3, 4)))), S(np.round(make((6,))), sorted=True,
                                                                        return_inverse=True)], grad=False),
    OpInfo("unique_consecutive", lambda make, dtype: [
        S(_int(make, (3, 4), 0, 2)), S(_int(make, (8,), 0, 2), return_inverse=True, return_counts=True),
        S(_int(make, (4, 2), 0, 2), dim=0, return_inverse=True, return_counts=True, name="dim0"),
        S(_int(make, (2, 5), 0, 2), dim=1, return_counts=True, name="dim1")], dtypes=INTS, grad=False),
    OpInfo("tril_indices", lambda make, dtype: [S(3, 3), S(4, 3, 1), S(3, 5, -1), S(0, 3), S(3, 4, -5)], dtypes=INTS, grad=False, method=False),
    OpInfo("triu_indices", lambda make, dtype: [S(3, 3), S(4, 3, 1), S(3, 5, -1), S(0, 3), S(3, 4, 7)],
           dtypes=INTS, grad=False, method=False),
    OpInfo("rot90", lambda make, dtype: [S(make((2, 3))), S(make((2, 3)), 2), S(make((2, 3)), -1),
                                         S(make((2, 3, 4)), 1, [1, 2]), S(make((2, 3, 4)), 3, (2, 0)),
                                         S(make((2, 3)), 0, name="k=0"), S(make((0, 3)), name="empty"),
                                         S(make.noncontig((2, 3)), name="noncontig")]),
    OpInfo("trapezoid", lambda make, dtype: [
        S(make((5,))), S(make((3, 4)), dx=0.5), S(make((3, 4)), dim=0), S(make((3, 4)), np.sort(make((4,)))),
        S(make((3, 4)), make((3, 4)), dim=0, name="x-same-shape"), S(make((2, 0)), name="empty"),
        S(make((3, 4)), np.sort(make((3,))), dim=0, name="x-1d-dim0")], method=False),
    OpInfo("trapezoid", lambda make, dtype: [S(_int(make, (5,))), S(_int(make, (3, 4)), _idx(0, 1, 3, 4))],
           dtypes=INTS, grad=False, method=False),
    OpInfo("trapz", lambda make, dtype: [S(make((5,))), S(make((3, 4)), dx=2.0), S(make((3, 4)), make((4,)))],
           method=False),
    OpInfo("logdet", lambda make, dtype: [S(_positive_definite(make, (3, 3), dtype)),
                                          S(_positive_definite(make, (2, 3, 3), dtype), name="batch")]),
    # Values only: the gradient at a negative or singular determinant is NaN or inf in elements that depend on
    # PyTorch's LU factors (docs/decisions.md); the singular case is in tests/fuzz/test_regressions.py.
    OpInfo("logdet", lambda make, dtype: [S(np.diag([1.0, -2.0, 3.0]).astype(dtype), name="negative")],
           grad=False),
    OpInfo("slogdet", lambda make, dtype: [S(_well_conditioned(make, (3, 3), dtype)),
                                           S(-_well_conditioned(make, (2, 3, 3), dtype), name="negative")]),
    OpInfo("cdist", _cdist, method=False, gradgrad=False),  # PyTorch has no second derivative of cdist
]

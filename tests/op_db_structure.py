"""Op table rows: shape, indexing, linear algebra and nn ops.

Integer arrays (indices, class targets) and `NoGrad(array)` (loss weights) are
inputs that do not require grad; every other float array becomes a leaf that does.
"""
import numpy as np

from op_info import OpInfo, Sample, NoGrad


def S(*args, name="", **kwargs):
    return Sample(tuple(args), kwargs, name=name)


def _int(make, shape, lo, hi):
    return make(shape, lo, hi, dtype="int64")


def _perm_index(make, shape, n, dim):
    """An int64 index of `shape` whose entries along `dim` are distinct values in [0, n)."""
    rng = make.rng
    moved = list(shape)
    k = moved.pop(dim)
    rows = [rng.permutation(n)[:k] for _ in range(int(np.prod(moved)))]
    a = np.array(rows, dtype=np.int64).reshape(tuple(moved) + (k,))
    return np.moveaxis(a, -1, dim).copy()


def _well_conditioned(make, shape, dtype):
    """Square matrices (batched) with a dominant diagonal: det, inv and solve are stable there."""
    n = shape[-1]
    return (make(shape) + 3.0 * np.eye(n)).astype(dtype)


# -- shape ---------------------------------------------------------------------------------------------
SHAPE = [
    OpInfo("reshape", lambda make, dtype: [
        S(make((2, 3)), (3, 2)), S(make((2, 3)), (-1,)), S(make(()), (1, 1)), S(make((0, 3)), (3, 0)),
        S(make.noncontig((3, 2)), (6,), name="noncontig-copy")]),
    OpInfo("Tensor.view", lambda make, dtype: [
        S(make((2, 3)), 3, 2), S(make((2, 3)), (-1,)), S(make(()), ()), S(make((0, 3)), (3, 0)),
        S(make.noncontig((3, 2)), (3, 2), name="noncontig")]),
    OpInfo("flatten", lambda make, dtype: [
        S(make((2, 3, 4))), S(make((2, 3, 4)), 1), S(make((2, 3, 4)), 0, -2), S(make(())), S(make((2, 0, 3)), 1)]),
    OpInfo("ravel", lambda make, dtype: [S(make((2, 3))), S(make(())), S(make.noncontig((3, 2)))]),
    OpInfo("unflatten", lambda make, dtype: [
        S(make((2, 6)), 1, (2, 3)), S(make((6, 2)), 0, (-1, 2)), S(make((0, 4)), -1, (2, 2))]),
    OpInfo("squeeze", lambda make, dtype: [
        S(make((2, 1, 3))), S(make((2, 1, 3)), 1), S(make((1, 1, 3)), (0, 1)), S(make((2, 1, 3)), 0),
        S(make(()), 0)]),
    OpInfo("unsqueeze", lambda make, dtype: [
        S(make((2, 3)), 0), S(make((2, 3)), -1), S(make(()), 0), S(make((0, 3)), 1)]),
    OpInfo("Tensor.expand", lambda make, dtype: [
        S(make((3, 1)), 2, 3, 4), S(make((3, 1)), (-1, 4)), S(make(()), (2, 3)), S(make((1,)), (0,)),
        S(make((2, 3)), 2, 3, name="same-shape")]),
    OpInfo("Tensor.view_as", lambda make, dtype: [S(make((2, 3)), make((3, 2))), S(make((2, 3)), make((2, 3)))]),
    OpInfo("Tensor.reshape_as", lambda make, dtype: [S(make((2, 3)), make((6,))),
                                                     S(make.noncontig((2, 3)), make((3, 2)), name="noncontig")]),
    OpInfo("Tensor.expand_as", lambda make, dtype: [S(make((3, 1)), make((2, 3, 4))), S(make(()), make((2,)))]),
    OpInfo("broadcast_to", lambda make, dtype: [
        S(make((3, 1)), (2, 3, 4)), S(make(()), (2,)), S(make((1, 3)), (0, 3))]),
    OpInfo("broadcast_tensors", lambda make, dtype: [
        S(make((3, 1)), make((2, 1, 4))), S(make(()), make((2, 3))), S(make((2, 3)), make((3,)), make((1, 1)))]),
    OpInfo("Tensor.repeat", lambda make, dtype: [
        S(make((2, 3)), 2, 1), S(make((3,)), (2, 2)), S(make(()), 3), S(make((0, 2)), 2, 2)]),
    OpInfo("tile", lambda make, dtype: [S(make((2, 3)), (2,)), S(make((3,)), (2, 2)), S(make(()), (3,))]),
    OpInfo("repeat_interleave", lambda make, dtype: [
        S(make((2, 3)), 2), S(make((3, 2)), 2, 0), S(make((3, 2)), np.array([1, 0, 2]), 0)]),
    OpInfo("transpose", lambda make, dtype: [
        S(make((2, 3, 4)), 0, 2), S(make((2, 3)), -1, 0), S(make(()), 0, -1), S(make((0, 3)), 0, 1),
        S(make.noncontig((3, 2)), 0, 1)]),
    OpInfo("swapaxes", lambda make, dtype: [S(make((2, 3, 4)), 0, -1)]),
    OpInfo("swapdims", lambda make, dtype: [S(make((2, 3, 4)), 1, 2)]),
    OpInfo("t", lambda make, dtype: [S(make((2, 3))), S(make((3,))), S(make(())), S(make.noncontig((2, 2)))]),
    OpInfo("permute", lambda make, dtype: [
        S(make((2, 3, 4)), (2, 0, 1)), S(make((2, 3)), [-1, 0]), S(make(()), ()), S(make((0, 2, 1)), (1, 2, 0))]),
    OpInfo("Tensor.permute", lambda make, dtype: [S(make((2, 3, 4)), 2, 0, 1), S(make((2, 3)), (-1, 0))]),
    OpInfo("movedim", lambda make, dtype: [
        S(make((2, 3, 4)), 0, 2), S(make((2, 3, 4)), (0, 1), (-1, 0)), S(make(()), 0, 0)]),
    OpInfo("moveaxis", lambda make, dtype: [S(make((2, 3, 4)), -1, 0)]),
    OpInfo("flip", lambda make, dtype: [
        S(make((2, 3)), (0,)), S(make((2, 3, 4)), (0, -1)), S(make(()), (0,)), S(make((0, 3)), (1,))]),
    OpInfo("fliplr", lambda make, dtype: [S(make((2, 3))), S(make((2, 3, 4)))]),
    OpInfo("flipud", lambda make, dtype: [S(make((2, 3))), S(make((3,)))]),
    OpInfo("roll", lambda make, dtype: [
        S(make((2, 3)), 1), S(make((2, 3)), -1, 1), S(make((2, 3, 4)), (1, 2), (0, 2)), S(make(()), 2),
        S(make((0, 3)), 1, 1)]),
]


def _cat_samples(make, dtype):
    return [S([make((2, 3)), make((1, 3))]), S([make((2, 3)), make((2, 2)), make((2, 1))], 1),
            S([make((2, 3)), make((0,))], name="skips-1d-empty"), S([make((2, 0)), make((2, 3))], -1),
            S([make.noncontig((2, 3)), make((2, 3))], dim=0)]


SHAPE += [
    OpInfo("cat", _cat_samples),
    OpInfo("concat", lambda make, dtype: [S([make((2, 3)), make((2, 1))], 1)]),
    OpInfo("concatenate", lambda make, dtype: [S([make((2, 3)), make((1, 3))])]),
    OpInfo("stack", lambda make, dtype: [
        S([make((2, 3)), make((2, 3))]), S([make((2, 3)), make((2, 3)), make((2, 3))], -1), S([make(()), make(())]),
        S([make((0, 2))], 1)]),
    OpInfo("hstack", lambda make, dtype: [S([make((2, 3)), make((2, 1))]), S([make((2,)), make((3,))]),
                                          S([make(()), make((2,))])]),
    OpInfo("vstack", lambda make, dtype: [S([make((2, 3)), make((1, 3))]), S([make((3,)), make((3,))]),
                                          S([make(()), make(())])]),
    OpInfo("row_stack", lambda make, dtype: [S([make((2, 3)), make((1, 3))]), S([make((3,)), make((3,))])]),
    OpInfo("dstack", lambda make, dtype: [S([make((2, 3)), make((2, 3))]), S([make((3,)), make((3,))])]),
    OpInfo("column_stack", lambda make, dtype: [S([make((3,)), make((3, 2))]), S([make(()), make(())])]),
    OpInfo("atleast_1d", lambda make, dtype: [S(make(())), S(make((2, 3)))]),
    OpInfo("atleast_2d", lambda make, dtype: [S(make(())), S(make((3,))), S(make((2, 3)))]),
    OpInfo("atleast_3d", lambda make, dtype: [S(make(())), S(make((3,))), S(make((2, 3))), S(make((1, 2, 3)))]),
    OpInfo("split", lambda make, dtype: [
        S(make((5, 2)), 2), S(make((2, 5)), [1, 4], 1), S(make((2, 4)), 2, -1), S(make((0, 3)), 1),
        S(make((3, 2)), [0, 3])]),
    OpInfo("tensor_split", lambda make, dtype: [
        S(make((5, 2)), 2), S(make((2, 5)), [1, 3], 1), S(make((3,)), 5)]),
    OpInfo("chunk", lambda make, dtype: [
        S(make((5, 2)), 2), S(make((2, 6)), 3, 1), S(make((2, 5)), 4, -1), S(make((0, 2)), 2)]),
    OpInfo("unbind", lambda make, dtype: [S(make((2, 3))), S(make((2, 3, 4)), -1), S(make((3,)))]),
    OpInfo("narrow", lambda make, dtype: [
        S(make((4, 3)), 0, 1, 2), S(make((4, 3)), -1, 0, 3), S(make((4, 3)), 1, -2, 1), S(make((4, 3)), 0, 4, 0)]),
    OpInfo("select", lambda make, dtype: [
        S(make((4, 3)), 0, 1), S(make((4, 3)), -1, -1), S(make((2, 3, 4)), 1, 2), S(make((3,)), 0, 2)]),
]


# -- indexing ------------------------------------------------------------------------------------------
def _gather_samples(make, dtype):
    return [
        S(make((3, 4)), 1, _int(make, (3, 2), 0, 4)),
        S(make((3, 4)), 0, _int(make, (5, 4), 0, 3), name="repeated"),
        S(make((2, 3, 4)), -1, _int(make, (2, 2, 3), 0, 4), name="smaller-index"),
        S(make(()), 0, np.zeros((), np.int64)),
        S(make((3, 4)), 1, np.zeros((3, 0), np.int64)),
    ]


def _scatter_samples(make, dtype):
    return [
        S(make((3, 4)), 1, _perm_index(make, (3, 2), 4, 1), make((3, 2))),
        S(make((3, 4)), 0, _perm_index(make, (2, 4), 3, 0), make((2, 4))),
        S(make((3, 4)), 1, _perm_index(make, (2, 2), 4, 1), value=1.5),
        S(make((3, 4)), -1, _perm_index(make, (3, 3), 4, 1), 0.25),
    ]


def _scatter_add_samples(make, dtype):
    return [
        S(make((3, 4)), 1, _int(make, (3, 5), 0, 4), make((3, 5)), name="repeated"),
        S(make((3, 4)), 0, _int(make, (2, 3), 0, 3), make((2, 3))),
        S(make(()), 0, np.zeros((), np.int64), make(())),
    ]


def _mask(make, shape):
    return make(shape, dtype="bool")


INDEX = [
    OpInfo("gather", _gather_samples),
    OpInfo("scatter", _scatter_samples),
    OpInfo("scatter_add", _scatter_add_samples),
    OpInfo("index_select", lambda make, dtype: [
        S(make((3, 4)), 0, np.array([2, 0, 2], np.int64), name="repeated"),
        S(make((3, 4)), -1, np.array([1, 3], np.int64)), S(make(()), 0, np.array([0], np.int64)),
        S(make((3, 4)), 1, np.zeros((0,), np.int64)), S(make((3, 4)), 0, np.array(1, np.int64), name="0-d index")]),
    OpInfo("take", lambda make, dtype: [
        S(make((3, 4)), np.array([[0, 11], [5, 5]], np.int64), name="repeated"),
        S(make((3, 4)), np.array([-1, 0], np.int64), name="negative"), S(make(()), np.array(0, np.int64)),
        S(make((3, 4)), np.zeros((0,), np.int64))]),
    OpInfo("take_along_dim", lambda make, dtype: [
        S(make((3, 4)), _int(make, (3, 2), 0, 4), 1), S(make((3, 4)), _int(make, (5,), 0, 12), name="flat"),
        S(make((3, 4)), _int(make, (1, 4), 0, 3), 0, name="broadcast"),
        S(make((2, 1, 3)), _int(make, (2, 4, 2), 0, 3), -1, name="broadcast-input")]),
    OpInfo("masked_fill", lambda make, dtype: [
        S(make((3, 4)), _mask(make, (3, 4)), 1.5), S(make((3, 4)), _mask(make, (4,)), -2, name="broadcast-mask"),
        S(make((3, 4)), _mask(make, (3, 4)), make(()), name="tensor-value"),
        S(make(()), np.array(True), 0.5), S(make((0, 3)), _mask(make, (0, 3)), make(()))]),
    OpInfo("masked_select", lambda make, dtype: [
        S(make((3, 4)), _mask(make, (3, 4))), S(make((3, 4)), _mask(make, (4,)), name="broadcast-mask"),
        S(make((4,)), _mask(make, (3, 4)), name="broadcast-input"), S(make(()), np.array(True))]),
    OpInfo("nonzero", lambda make, dtype: [
        S(np.array([[0.0, 1.5], [2.0, 0.0]], dtype)), S(np.array(0.5, dtype)), S(np.zeros((0, 2), dtype)),
        S(np.array([0.0, 3.0, 0.0], dtype), as_tuple=True)], grad=False),
    OpInfo("argwhere", lambda make, dtype: [S(np.array([[0.0, 1.5], [2.0, 0.0]], dtype))], grad=False),
]


# -- linear algebra ------------------------------------------------------------------------------------
def _pairs(pairs):
    return lambda make, dtype: [S(make(a), make(b), name=f"{a}@{b}") for a, b in pairs]


def _einsum_samples(make, dtype):
    return [
        S("ij,jk->ik", make((2, 3)), make((3, 4))),
        S("ii->i", make((3, 3))),
        S("...ij,...jk", make((2, 2, 3)), make((2, 3, 4)), name="ellipsis-implicit"),
        S("ij,k->jk", make((2, 3)), make((4,)), name="summed-in-one"),
        S("iij,j", make((3, 3, 2)), make((2,)), name="repeated-implicit"),
    ]


def _einsum_more(make, dtype):
    return [
        S("i,j->ij", make((2,)), make((3,)), name="outer"), S("ij->", make((2, 3))), S("ji", make((2, 3))),
        S("ij,jk,kl->il", [make((2, 3)), make((3, 4)), make((4, 2))], name="list"),
        S("bi,bi->b", make((0, 3)), make((0, 3)), name="zero-size"),
    ]


LINALG = [
    OpInfo("dot", _pairs([((3,), (3,)), ((0,), (0,))])),
    OpInfo("vdot", _pairs([((3,), (3,))])),
    OpInfo("mv", _pairs([((2, 3), (3,)), ((0, 3), (3,))]) ),
    OpInfo("mm", lambda make, dtype: [S(make((2, 3)), make((3, 4))), S(make.noncontig((2, 3)), make((3, 2))),
                                      S(make((2, 0)), make((0, 3)))]),
    OpInfo("addmm", lambda make, dtype: [
        S(make((2, 4)), make((2, 3)), make((3, 4))), S(make((4,)), make((2, 3)), make((3, 4)), name="row"),
        S(make((2, 1)), make((2, 3)), make((3, 4)), beta=0.5, alpha=-2.0, name="column-scaled"),
        S(make(()), make.noncontig((2, 3)), make((3, 2)), name="0-d"), S(make((2, 3)), make((2, 0)), make((0, 3)))]),
    OpInfo("bmm", _pairs([((2, 2, 3), (2, 3, 4)), ((0, 2, 3), (0, 3, 1))])),
    OpInfo("matmul", _pairs([((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4))])),
    OpInfo("matmul", _pairs([((3,), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((2, 2, 3), (3,)), ((2, 3), (2, 3, 4)),
                             ((2, 2, 3), (2, 3, 1))])),
    OpInfo("outer", _pairs([((2,), (3,)), ((0,), (3,))])),
    OpInfo("ger", _pairs([((2,), (3,))])),
    OpInfo("inner", _pairs([((3,), (3,)), ((2, 3), (4, 3)), ((), (2, 3)), ((2, 2, 3), (3,))])),
    OpInfo("tensordot", lambda make, dtype: [
        S(make((2, 3, 4)), make((3, 4, 2))), S(make((2, 3)), make((3, 2)), 1),
        S(make((2, 3, 4)), make((4, 2, 3)), ([1, 2], [2, 0])), S(make((2, 3)), make((2,)), dims=([0], [0])),
        S(make((2,)), make((3,)), 0)]),
    OpInfo("einsum", _einsum_samples),
    OpInfo("einsum", _einsum_more),
    OpInfo("trace", lambda make, dtype: [S(make((3, 3))), S(make((2, 4))), S(make.noncontig((3, 2)))]),
    OpInfo("diagonal", lambda make, dtype: [
        S(make((3, 3))), S(make((3, 4)), 1), S(make((2, 3, 4)), -1, 0, 2), S(make((3, 4)), offset=5)]),
    OpInfo("diag", lambda make, dtype: [S(make((3,))), S(make((3,)), -1), S(make((3, 4))), S(make((3, 4)), 1),
                                        S(make((0,)))]),
    OpInfo("diag_embed", lambda make, dtype: [
        S(make((3,))), S(make((2, 3)), 1), S(make((2, 3)), -1, 0, 2), S(make((2, 3)), 0, 2, 0)]),
    OpInfo("tril", lambda make, dtype: [S(make((3, 4))), S(make((3, 4)), 1), S(make((2, 3, 3)), -1),
                                        S(make((0, 3)))]),
    OpInfo("triu", lambda make, dtype: [S(make((3, 4))), S(make((3, 4)), -1), S(make((2, 3, 3)), 2)]),
    OpInfo("det", lambda make, dtype: [S(_well_conditioned(make, (3, 3), dtype)),
                                       S(_well_conditioned(make, (2, 2, 2), dtype)), S(make((1, 1)))]),
    OpInfo("inverse", lambda make, dtype: [S(_well_conditioned(make, (3, 3), dtype)),
                                           S(_well_conditioned(make, (2, 2, 2), dtype))]),
    OpInfo("linalg.det", lambda make, dtype: [S(_well_conditioned(make, (3, 3), dtype)),
                                              S(_well_conditioned(make, (2, 2, 2), dtype)),
                                              S(make((0, 3, 3)))]),
    OpInfo("linalg.inv", lambda make, dtype: [S(_well_conditioned(make, (3, 3), dtype)),
                                              S(_well_conditioned(make, (2, 2, 2), dtype))], method=False),
    OpInfo("linalg.solve", lambda make, dtype: [
        S(_well_conditioned(make, (3, 3), dtype), make((3,)), name="vector"),
        S(_well_conditioned(make, (3, 3), dtype), make((3, 2)), name="matrix"),
        S(_well_conditioned(make, (2, 3, 3), dtype), make((2, 3)), name="batched-vectors"),
        S(_well_conditioned(make, (2, 3, 3), dtype), make((3, 1)), name="broadcast-B"),
        S(_well_conditioned(make, (3, 3), dtype), make((2, 3, 2)), name="broadcast-A")], method=False),
    OpInfo("linalg.vector_norm", lambda make, dtype: [
        S(make((2, 3))), S(make((2, 3)), 1, -1), S(make((2, 3)), float("inf"), (0, 1), True),
        S(make((3,)), 3.0), S(make(()), 2)], method=False),
    OpInfo("linalg.matrix_norm", lambda make, dtype: [
        S(make((2, 3))), S(make((2, 2, 3)), "fro", (0, 2), True), S(make((3, 3)), 1), S(make((3, 3)), float("inf"))],
        method=False),
    OpInfo("linalg.slogdet", lambda make, dtype: [
        S(_well_conditioned(make, (3, 3), dtype)), S(-_well_conditioned(make, (2, 3, 3), dtype), name="negative"),
        S(make((0, 2, 2)))]),
    OpInfo("linalg.inv_ex", lambda make, dtype: [S(_well_conditioned(make, (3, 3), dtype)),
                                                 S(_well_conditioned(make, (2, 2, 2), dtype))]),
    OpInfo("linalg.cross", lambda make, dtype: [
        S(make((3,)), make((3,))), S(make((2, 3)), make((1, 3)), name="broadcast"),
        S(make((3, 2)), make((3, 2)), dim=0)]),
    OpInfo("linalg.matmul", _pairs([((2, 3), (3, 4)), ((3,), (2, 3, 4))])),
    OpInfo("linalg.diagonal", lambda make, dtype: [S(make((2, 3, 4))), S(make((3, 3)), offset=1),
                                                   S(make((2, 3, 4)), dim1=0, dim2=2)], method=False),
    OpInfo("linalg.vecdot", lambda make, dtype: [S(make((2, 3)), make((2, 3))), S(make((2, 3)), make((3,))),
                                                 S(make((2, 3)), make((2, 3)), dim=0)]),
    OpInfo("linalg.norm", lambda make, dtype: [
        S(make((2, 3))), S(make((3,)), 1), S(make((2, 3)), "fro"), S(make((2, 3, 4)), None, (1, 2)),
        S(make((2, 3)), dim=1)], method=False),
]


# -- nn ------------------------------------------------------------------------------------------------
F = "nn.functional."


def _softmax_samples(make, dtype):
    return [S(make((2, 3)), 1), S(make((2, 3, 4)), 0), S(make(()), 0), S(make((0, 3)), -1),
            S(make.noncontig((3, 2)), dim=-1)]


def _classes(make, shape, n):
    return make(shape, 0, n, dtype="int64")


def _cross_entropy_samples(make, dtype):
    t = _classes(make, (4,), 3)
    t[1] = -100
    return [
        S(make((4, 3)), _classes(make, (4,), 3)),
        S(make((4, 3)), t, ignore_index=-100, reduction="sum", name="ignore_index"),
        S(make((2, 3, 2)), _classes(make, (2, 2), 3), weight=NoGrad(make((3,), 0.5, 1.5)), reduction="none"),
        S(make((4, 3)), _classes(make, (4,), 3), weight=NoGrad(make((3,), 0.5, 1.5)), label_smoothing=0.2),
        S(make((3,)), _classes(make, (), 3), name="unbatched"),
    ]


def _cross_entropy_probs(make, dtype):
    def probs(shape):
        p = make(shape, 0.1, 1.0)
        return p / p.sum(1, keepdims=True)
    return [
        S(make((4, 3)), probs((4, 3)), name="probabilities"),
        S(make((2, 3, 2)), probs((2, 3, 2)), reduction="sum", label_smoothing=0.1),
        S(make((4, 3)), probs((4, 3)), weight=NoGrad(make((3,), 0.5, 1.5)), reduction="none"),
        S(make((4, 3)), probs((4, 3)), weight=NoGrad(make((3,), 0.5, 1.5)), label_smoothing=0.3),
    ]


def _nll_samples(make, dtype):
    t = _classes(make, (4,), 3)
    t[0] = 1
    t[2] = 1
    return [
        S(make((4, 3)), _classes(make, (4,), 3)),
        S(make((4, 3)), t, ignore_index=1, name="ignore_index"),
        S(make((2, 3, 2)), _classes(make, (2, 2), 3), weight=NoGrad(make((3,), 0.5, 1.5)), reduction="sum"),
        S(make((4, 3)), _classes(make, (4,), 3), weight=NoGrad(make((3,), 0.5, 1.5)), reduction="none"),
        S(make((3,)), _classes(make, (), 3), name="unbatched"),
    ]


def _bce_samples(make, dtype):
    return [
        S(make((2, 3), 0.05, 0.95), make((2, 3), 0.0, 1.0)),
        S(make((2, 3), 0.05, 0.95), make((2, 3), 0.0, 1.0), weight=NoGrad(make((3,), 0.5, 1.5)), reduction="sum"),
        S(make((4,), 0.05, 0.95), make((4,), 0.0, 1.0), reduction="none"),
        S(make((), 0.05, 0.95), make((), 0.0, 1.0)),
    ]


def _bce_logits_samples(make, dtype):
    return [
        S(make((2, 3)), make((2, 3), 0.0, 1.0)),
        S(make((2, 3)), make((2, 3), 0.0, 1.0), weight=NoGrad(make((2, 1), 0.5, 1.5)), reduction="sum"),
        S(make((2, 3)), make((2, 3), 0.0, 1.0), pos_weight=NoGrad(make((3,), 0.5, 3.0)), reduction="none"),
        S(make((2, 3)), make((2, 3), 0.0, 1.0), weight=NoGrad(make((3,), 0.5, 1.5)),
          pos_weight=NoGrad(make((3,), 0.5, 3.0))),
        S(make(()), make((), 0.0, 1.0)),
    ]


def _linear_samples(make, dtype):
    return [
        S(make((2, 3)), make((4, 3)), make((4,)), name="addmm"),
        S(make((2, 3)), make((4, 3)), name="no-bias"),
        S(make((3,)), make((4, 3)), make((4,)), name="1-d"),
        S(make((2, 2, 3)), make((4, 3)), make((4,)), name="3-d"),
        S(make((2, 3)), make((4, 3)), make(()), name="0-d-bias"),
    ]


def _loss_pair(make, dtype):
    return [S(make((2, 3)), make((2, 3))), S(make((2, 3)), make((2, 3)), reduction="sum"),
            S(make((4,)), make((4,)), reduction="none"), S(make(()), make(())), S(make((0, 3)), make((0, 3)))]


def _unary_nn(**kw):
    def samples(make, dtype):
        return [S(make((2, 3)), **kw), S(make(()), **kw), S(make((0, 3)), **kw), S(make.noncontig((3, 2)), **kw)]
    return samples


def _dropout_samples(make, dtype):
    return [S(make((20, 30), 1.0, 2.0), 0.3), S(make((4, 5), 1.0, 2.0), 0.5, False), S(make(()), 0.0),
            S(make((0, 3)), p=0.5), S(make((3, 4), 1.0, 2.0), 1.0)]



def _activation(lo=-2.0, hi=2.0, **kw):
    """0-d, 2-d, zero-size and non-contiguous inputs drawn over [lo, hi] (across an activation's kinks)."""
    def samples(make, dtype):
        return [S(make((2, 3), lo, hi), **kw), S(make((), lo, hi), **kw), S(make((0, 3), lo, hi), **kw),
                S(make.noncontig((3, 2), lo, hi), **kw)]
    return samples


# At the kinks, where the gradient takes PyTorch's convention (compared with PyTorch only: float32 rows).
_KINKS = [-3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 2.0, -2.0]


def _kinks(*args, **kw):
    def samples(make, dtype):
        return [S(np.array(_KINKS, dtype), *args, name="kinks", **kw)]
    return samples


NN = [
    OpInfo(F + "softmax", _softmax_samples),
    OpInfo(F + "log_softmax", _softmax_samples),
    OpInfo("softmax", lambda make, dtype: [S(make((2, 3)), 1), S(make((2, 3)), 0)]),
    OpInfo("log_softmax", lambda make, dtype: [S(make((2, 3)), -1)]),
    OpInfo(F + "relu", _unary_nn()),
    OpInfo(F + "gelu", _unary_nn()),
    OpInfo(F + "gelu", _unary_nn(approximate="tanh")),
    OpInfo(F + "silu", _unary_nn()),
    OpInfo(F + "softplus", lambda make, dtype: [
        S(make((2, 3))), S(make((2, 3), -3, 3), 2.0, 2.0), S(make(())), S(make((0, 3)))]),
    OpInfo(F + "leaky_relu", lambda make, dtype: [S(make((2, 3))), S(make((2, 3)), 0.2), S(make(()), 0.1)]),
    OpInfo(F + "elu", lambda make, dtype: [S(make((2, 3))), S(make((2, 3)), 0.5), S(make(()), 2.0)]),
    OpInfo(F + "mse_loss", _loss_pair),
    OpInfo(F + "l1_loss", _loss_pair),
    OpInfo(F + "cross_entropy", _cross_entropy_samples),
    OpInfo(F + "cross_entropy", _cross_entropy_probs),
    OpInfo(F + "nll_loss", _nll_samples),
    OpInfo(F + "binary_cross_entropy", _bce_samples),
    OpInfo(F + "binary_cross_entropy_with_logits", _bce_logits_samples),
    OpInfo(F + "linear", _linear_samples),
    OpInfo(F + "softmin", _softmax_samples),
    OpInfo(F + "smooth_l1_loss", _loss_pair),
    OpInfo(F + "smooth_l1_loss", lambda make, dtype: [
        S(make((2, 3)), make((2, 3)), beta=0.5), S(make((4,)), make((4,)), reduction="none", beta=2.0),
        S(make((2, 3)), make((3,)), reduction="sum", beta=0.0, name="l1-broadcast")]),
    OpInfo(F + "huber_loss", _loss_pair),
    OpInfo(F + "huber_loss", lambda make, dtype: [S(make((2, 3)), make((2, 3)), delta=0.5),
                                                  S(make((4,)), make((4,)), reduction="none", delta=2.0)]),
    OpInfo(F + "hardtanh", lambda make, dtype: [S(make((2, 3))), S(make((2, 3)), -0.5, 0.5), S(make(()))]),
    OpInfo(F + "relu6", lambda make, dtype: [S(make((2, 3), -3, 8)), S(make(()))]),
    OpInfo(F + "logsigmoid", _unary_nn()),
    OpInfo(F + "softsign", _unary_nn()),
    OpInfo(F + "tanhshrink", _unary_nn()),
    OpInfo(F + "mish", _unary_nn()),
    OpInfo(F + "sigmoid", _unary_nn()),
    OpInfo(F + "tanh", _unary_nn()),
    OpInfo(F + "threshold", lambda make, dtype: [
        S(make((2, 3)), 0.5, -2.0), S(make(()), 0.0, 1.5), S(make((0, 3)), 0.0, 0.0),
        S(make.noncontig((3, 2)), -0.5, 3.0, name="noncontig")] +
        ([S(_int(make, (2, 3), -3, 4), 0, -2, name="int64"), S(_int(make, (2, 3), -3, 4), -0.5, 7.9, name="int-floats")]
         if dtype == "float64" else [])),
    OpInfo(F + "threshold", _kinks(0.5, -2.0), dtypes=("float32",)),
    OpInfo(F + "threshold", _kinks(-0.5, 2.0), dtypes=("float32",)),
    OpInfo("threshold", lambda make, dtype: [S(make((2, 3)), 0.0, 1.0), S(make(()), 0.5, -1.0)]),
    OpInfo(F + "celu", _activation()),
    OpInfo(F + "celu", _activation(alpha=2.0)),
    OpInfo(F + "celu", lambda make, dtype: [S(make((2, 3), -2, 2), 0.5), S(make((2, 3), -2, 2), -1.0, name="negative")]),
    OpInfo(F + "celu", _kinks(), dtypes=("float32",)),
    OpInfo("celu", lambda make, dtype: [S(make((2, 3))), S(make((2, 3)), 0.7)]),
    OpInfo(F + "selu", _activation(-3.0, 3.0)),
    OpInfo(F + "selu", _kinks(), dtypes=("float32",)),
    OpInfo("selu", lambda make, dtype: [S(make((2, 3)))]),
    OpInfo(F + "hardshrink", _activation()),
    OpInfo(F + "hardshrink", lambda make, dtype: [S(make((2, 3), -2, 2), 1.0), S(make((2, 3)), -1.0, name="negative"),
                                                  S(make((2, 3)), lambd=0.0, name="zero")]),
    OpInfo(F + "hardshrink", _kinks(), dtypes=("float32",)),
    OpInfo(F + "hardshrink", _kinks(1.0), dtypes=("float32",)),
    OpInfo("hardshrink", lambda make, dtype: [S(make((2, 3))), S(make(()), 0.25)]),
    OpInfo(F + "softshrink", _activation()),
    OpInfo(F + "softshrink", lambda make, dtype: [S(make((2, 3), -2, 2), 1.0), S(make((2, 3)), lambd=0.0, name="zero")]),
    OpInfo(F + "softshrink", _kinks(), dtypes=("float32",)),
    OpInfo(F + "softshrink", _kinks(1.0), dtypes=("float32",)),
    # (no second derivative in PyTorch: tests/test_masked_gradients.py checks that both refuse it)
    OpInfo(F + "hardsigmoid", _activation(-4.0, 4.0), gradgrad=False),
    OpInfo(F + "hardsigmoid", _kinks(), dtypes=("float32",)),
    OpInfo(F + "hardswish", _activation(-4.0, 4.0)),
    OpInfo(F + "hardswish", _kinks(), dtypes=("float32",)),
    OpInfo(F + "silu", _kinks(), dtypes=("float32",)),
    OpInfo(F + "mish", _kinks(), dtypes=("float32",)),
    OpInfo(F + "logsigmoid", _activation(-30.0, 30.0)),
    OpInfo(F + "normalize", lambda make, dtype: [
        S(make((2, 3))), S(make((3,)), dim=0), S(make((2, 3)), 1.0, 0)]),
    OpInfo(F + "pad", lambda make, dtype: [
        S(make((2, 3)), (1, 2)), S(make((2, 3)), (1, 0, 0, 2), value=1.5), S(make((2, 3)), (-1, 1), name="cut"),
        S(make((2, 3, 4)), (0, 0, 2, -1)), S(make((0, 2)), (1, 1))]),
    OpInfo(F + "bilinear", lambda make, dtype: [
        S(make((2, 3)), make((2, 4)), make((5, 3, 4)), make((5,))), S(make((2, 3)), make((2, 4)), make((5, 3, 4))),
        S(make((3,)), make((4,)), make((5, 3, 4)), make((5,)), name="1-d"),
        S(make((2, 2, 3)), make((2, 2, 4)), make((5, 3, 4)), name="3-d")]),
    OpInfo(F + "one_hot", lambda make, dtype: [
        S(np.array([0, 2, 1], np.int64)), S(np.array([[0], [3]], np.int64), 5), S(np.zeros((0,), np.int64), 3)],
        grad=False, dtypes=("int64",)),
    OpInfo(F + "dropout", _dropout_samples, nondeterministic=True, grad=False),
    OpInfo("dropout", lambda make, dtype: [S(make((3, 4)), 0.5, False)]),
]

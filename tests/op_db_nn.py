"""Op-table rows for the torch.nn.functional ops of dxdy/ops/nn_layers.py (normalization, embedding,
distances, more losses, channel dropout, convolution, pooling).

Most of these ops are compositions of dxdy ops, so their grad_fn names are the composition's, not
PyTorch's fused kernels': those rows say check_node_name=False.
"""
import numpy as np

from op_info import OpInfo, Sample, NoGrad


def S(*args, name="", **kwargs):
    return Sample(tuple(args), kwargs, name=name)

F = "nn.functional."


def _composite(name, samples, **kw):
    return OpInfo(F + name, samples, check_node_name=False, **kw)


def _pm(make, shape, dtype):
    """A NoGrad target of +1 and -1."""
    return NoGrad(np.where(make(shape) > 0, 1.0, -1.0).astype(dtype))


def _apart(make, shape, noncontiguous=False):
    """Values well apart, for the input of a normalization.

    Normalizing divides by the values' spread: for near-equal values the result, PyTorch's as much as
    dxdy's, is rounding noise (and the gradient along a common shift, exactly 0, is noise times the
    spread's inverse squared). Built from make()'s draw, the array counts as structured for the fuzzer,
    which then only perturbs it (tests/fuzz/fuzz_ops.py).
    """
    a = make.noncontig(shape) if noncontiguous else make(shape)
    return a[...]  # a view: the recording maker knows its arrays by identity


def _layer_norm(make, dtype):
    return [S(_apart(make, (2, 3, 4)), (4,)),
            S(_apart(make, (2, 3, 4)), (3, 4), make((3, 4)), make((3, 4)), name="affine"),
            S(_apart(make, (5,)), [5], eps=1e-3), S(_apart(make, (2, 3)), (3,), weight=make((3,)), name="weight-only"),
            S(_apart(make, (3, 4), noncontiguous=True), (4,), bias=make((4,)), name="noncontig"),
            S(make((0, 3)), (3,))]


def _batch_norm(make, dtype):
    return [
        S(_apart(make, (4, 3)), NoGrad(np.zeros(3, dtype)), NoGrad(np.ones(3, dtype)), make((3,)), make((3,)),
          True, name="train"),
        S(_apart(make, (2, 3, 4)), NoGrad(make((3,))), NoGrad(make((3,), 0.5, 2)), training=True, momentum=0.3),
        S(_apart(make, (2, 3, 2, 2)), None, None, make((3,)), None, True, name="no-running"),
        S(make((2, 3, 4)), NoGrad(make((3,))), NoGrad(make((3,), 0.5, 2)), make((3,)), make((3,)), name="eval"),
        S(make((2, 3)), NoGrad(make((3,))), NoGrad(make((3,), 0.5, 2)), training=False, eps=1e-3),
    ]


def _instance_norm(make, dtype):
    return [S(_apart(make, (2, 3, 4))),
            S(_apart(make, (2, 3, 2, 3)), NoGrad(np.zeros(3, dtype)), NoGrad(np.ones(3, dtype)), make((3,)),
              make((3,))),
            S(make((2, 3, 4)), NoGrad(make((3,))), NoGrad(make((3,), 0.5, 2)), use_input_stats=False)]


def _group_norm(make, dtype):
    return [S(_apart(make, (2, 4, 3)), 2, make((4,)), make((4,))), S(_apart(make, (2, 6)), 3),
            S(_apart(make, (2, 4, 2, 2)), 1), S(_apart(make, (3, 4, 2)), 4, eps=1e-3),
            S(make((0, 4, 3)), 2, name="empty-batch")]


def _embedding(make, dtype):
    idx = np.array([[0, 1, 4], [1, 1, 2]], np.int64)
    return [S(idx, make((5, 4))), S(np.array([3, 0, 3], np.int32), make((5, 4)), name="int32"),
            S(np.array(3, np.int64), make((5, 4)), name="0-d"), S(np.zeros((0,), np.int64), make((5, 4)))]


def _embedding_masked(make, dtype):
    # Not the derivative of the forward (the padding row gets none; frequent rows are scaled down), as in
    # PyTorch: compared with PyTorch only (float32 rows: no finite differences).
    idx = np.array([[0, 1, 4], [1, 1, 2]], np.int64)
    return [S(idx, make((5, 4)), padding_idx=1, name="padding"), S(idx, make((5, 4)), -1, name="padding-negative"),
            S(idx, make((5, 4)), scale_grad_by_freq=True, name="freq"),
            S(idx, make((5, 4)), 1, scale_grad_by_freq=True, name="freq-padding")]


def _cosine_similarity(make, dtype):
    return [S(make((2, 3)), make((2, 3))), S(make((2, 3, 4)), make((3, 4)), dim=-1, name="broadcast"),
            S(make((4,)), make((4,)), dim=0), S(make((2, 3)), make((2, 3)), 0, 1e-6)]


def _cosine_tiny(make, dtype):
    # Norms below eps: clamped in value only, as PyTorch's in-place clamp under no_grad (the gradient is not
    # the derivative of the forward there: compared with PyTorch only, in float32).
    a = make((3, 3))
    a[0] = 0
    a[1] = [1e-9, 0, 0]
    return [S(a, make((3, 3)), name="tiny-norms")]


def _pairwise_distance(make, dtype):
    return [S(make((3, 4)), make((3, 4))), S(make((3, 4)), make((4,)), 1.0), S(make((3, 4)), make((3, 4)), 3.0,
                                                                                 keepdim=True),
            S(make((4,)), make((4,))), S(make((2, 3, 4)), make((2, 3, 4)), eps=1e-3)]


def _kl_div(make, dtype):
    return [S(make((2, 3), -2, 0), make((2, 3), 0.1, 1.0), reduction="batchmean"),
            S(make((2, 3), -2, 0), make((2, 3), 0.1, 1.0), reduction="sum"),
            S(make((4,), -2, 0), make((4,), 0.1, 1.0), reduction="none"),
            S(make((2, 3), -2, 0), make((2, 3), -2, 0), reduction="batchmean", log_target=True),
            S(make((2, 3), -2, 0), make((2, 3), -2, 0), reduction="none", log_target=True),
            S(make((), -2, 0), make((), 0.1, 1.0), reduction="batchmean", name="0-d"),
            S(make((2, 3), -2, 0), make((2, 3), 0.1, 1.0), name="mean")]


def _margin_ranking(make, dtype):
    return [S(make((4,)), make((4,)), _pm(make, (4,), dtype)),
            S(make((4,)), make((4,)), _pm(make, (4,), dtype), 0.5, reduction="sum"),
            S(make((2, 3)), make((2, 3)), _pm(make, (2, 3), dtype), margin=0.2, reduction="none")]


def _hinge(make, dtype):
    return [S(make((2, 3)), _pm(make, (2, 3), dtype)), S(make((2, 3)), _pm(make, (2, 3), dtype), 0.5, reduction="sum"),
            S(make((4,)), _pm(make, (4,), dtype), reduction="none")]


def _soft_margin(make, dtype):
    return [S(make((2, 3)), _pm(make, (2, 3), dtype)), S(make((4,)), _pm(make, (4,), dtype), reduction="sum"),
            S(make((2, 3)), NoGrad(make((2, 3))), reduction="none", name="float-target")]


def _triplet(make, dtype):
    return [S(make((4, 3)), make((4, 3)), make((4, 3))),
            S(make((4, 3)), make((4, 3)), make((4, 3)), 0.5, reduction="sum"),
            S(make((4, 3)), make((4, 3)), make((4, 3)), p=1, swap=True, reduction="none"),
            S(make((3,)), make((3,)), make((3,)), margin=2.0)]


def _poisson(make, dtype):
    return [S(make((2, 3)), make((2, 3), 0, 3)), S(make((2, 3), 0.5, 2), make((2, 3), 0, 3), False, name="rate"),
            S(make((2, 3)), make((2, 3), 0.5, 3), full=True, reduction="sum"),
            S(make((4,), 0.5, 2), make((4,), 0.5, 3), False, True, reduction="none")]


def _gaussian(make, dtype):
    return [S(make((2, 3)), make((2, 3)), make((2, 3), 0.5, 2)),
            S(make((2, 3)), make((2, 3)), make((2,), 0.5, 2), reduction="sum", name="var-unsqueezed"),
            S(make((2, 3)), make((2, 3)), make((2, 1), 0.5, 2), full=True, reduction="none"),
            S(make((4,)), make((4,)), make((4,), 0.5, 2), eps=0.7, name="clamped")]


def _cosine_embedding(make, dtype):
    return [S(make((4, 3)), make((4, 3)), _pm(make, (4,), dtype)),
            S(make((4, 3)), make((4, 3)), _pm(make, (4,), dtype), 0.2, reduction="sum"),
            S(make((4, 3)), make((4, 3)), _pm(make, (4,), dtype), -0.5, reduction="none"),
            S(make((3,)), make((3,)), NoGrad(np.array(-1.0, dtype)), name="1-d")]


def _multilabel(make, dtype):
    def t(shape):
        return NoGrad((make(shape) > 0).astype(dtype))
    return [S(make((2, 3)), t((2, 3))), S(make((2, 3)), t((2, 3)), NoGrad(make((3,), 0.5, 1.5)), reduction="sum"),
            S(make((4, 3)), t((4, 3)), reduction="none"), S(make((3,)), make((3,), 0, 1), name="1-d")]


def _conv1d(make, dtype):
    return [S(make((2, 3, 7)), make((4, 3, 3)), make((4,))), S(make((2, 3, 7)), make((4, 3, 3)), None, 2, 1),
            S(make((2, 3, 9)), make((2, 3, 3)), make((2,)), dilation=2, padding=2),
            S(make((2, 4, 6)), make((6, 2, 3)), None, groups=2, name="groups"),
            S(make((2, 3, 6)), make((4, 3, 4)), padding="same", name="same-even"),
            S(make((2, 3, 6)), make((4, 3, 3)), padding="valid", stride=3),
            S(make((3, 7)), make((4, 3, 3)), make((4,)), name="unbatched")]


def _conv2d(make, dtype):
    return [S(make((2, 3, 5, 6)), make((4, 3, 3, 3)), make((4,))),
            S(make((2, 3, 5, 6)), make((4, 3, 3, 2)), None, (2, 1), (1, 2)),
            S(make((1, 2, 7, 7)), make((3, 2, 3, 3)), make((3,)), dilation=2, padding=1),
            S(make((1, 3, 5, 5)), make((6, 1, 3, 3)), None, groups=3, name="depthwise"),
            S(make((1, 2, 5, 6)), make((2, 2, 2, 3)), padding="same", dilation=(2, 1), name="same"),
            S(make((2, 5, 4)), make((3, 2, 3, 3)), make((3,)), name="unbatched"),
            S(make((0, 2, 4, 4)), make((3, 2, 3, 3)), make((3,)), name="empty-batch"),
            S(make.noncontig((1, 2, 4, 5)), make((3, 2, 2, 2)), name="noncontig")]


def _max_pool2d(make, dtype):
    return [S(make((2, 3, 6, 6)), 2), S(make((1, 2, 7, 7)), 3, 2, 1), S(make((1, 1, 5, 5)), 2, ceil_mode=True),
            S(make((1, 2, 7, 7)), 2, 1, 0, 2, name="dilation"), S(make((1, 2, 6, 6)), 2, return_indices=True),
            S(make((1, 1, 7, 6)), 3, 2, 1, 1, True, True, name="ceil-indices"),
            S(make((2, 5, 5)), (2, 3), (1, 2), name="unbatched"), S(make((0, 2, 4, 4)), 2, name="empty-batch")]


def _avg_pool2d(make, dtype):
    return [S(make((2, 3, 6, 6)), 2), S(make((1, 2, 7, 7)), 3, 2, 1),
            S(make((1, 2, 7, 7)), 3, 2, 1, count_include_pad=False),
            S(make((1, 1, 5, 6)), 2, ceil_mode=True, padding=1),
            S(make((1, 1, 5, 6)), 3, 2, 1, True, False, name="ceil-exclude"),
            S(make((1, 2, 4, 4)), 2, divisor_override=3), S(make((2, 5, 5)), (2, 3), (1, 2), name="unbatched")]


def _adaptive_avg_pool2d(make, dtype):
    return [S(make((2, 3, 7, 5)), (3, 2)), S(make((1, 2, 6, 6)), 3), S(make((2, 5, 4)), (None, 3)),
            S(make((1, 1, 4, 4)), (5, 7), name="upsampling")]


def _dropout_channels(shapes):
    def samples(make, dtype):
        return [S(make(shapes[0], 1.0, 2.0), 0.5), S(make(shapes[1], 1.0, 2.0), 0.3, False),
                S(make(shapes[0], 1.0, 2.0), 1.0), S(make(shapes[1], 1.0, 2.0), p=0.2, training=True)]
    return samples


NN_LAYERS = [
    OpInfo(F + "layer_norm", _layer_norm),
    OpInfo(F + "batch_norm", _batch_norm),
    OpInfo(F + "instance_norm", _instance_norm),
    OpInfo(F + "group_norm", _group_norm),
    OpInfo(F + "embedding", _embedding),
    OpInfo(F + "embedding", _embedding_masked, dtypes=("float32",)),
    _composite("cosine_similarity", _cosine_similarity),
    OpInfo("cosine_similarity", _cosine_similarity, check_node_name=False),
    _composite("cosine_similarity", _cosine_tiny, dtypes=("float32",)),
    OpInfo(F + "pairwise_distance", _pairwise_distance),
    OpInfo("pairwise_distance", _pairwise_distance),
    _composite("glu", lambda make, dtype: [S(make((2, 4))), S(make((4, 3)), 0), S(make((2, 6, 2)), 1)]),
    OpInfo(F + "prelu", lambda make, dtype: [
        S(make((2, 3, 4)), make((3,), 0.1, 0.5)), S(make((2, 3)), make((1,), 0.1, 0.5)),
        S(make((4,)), make((1,), 0.1, 0.5)), S(make((2, 3, 2, 2)), make((3,), -0.5, 0.5)),
        S(make((2, 3)), NoGrad(make((3,), 0.1, 0.5)), name="constant-weight")]),
    _composite("kl_div", _kl_div),
    _composite("margin_ranking_loss", _margin_ranking),
    _composite("hinge_embedding_loss", _hinge),
    OpInfo(F + "soft_margin_loss", _soft_margin),
    _composite("triplet_margin_loss", _triplet),
    _composite("poisson_nll_loss", _poisson),
    _composite("gaussian_nll_loss", _gaussian),
    _composite("cosine_embedding_loss", _cosine_embedding),
    _composite("multilabel_soft_margin_loss", _multilabel),
    OpInfo(F + "conv1d", _conv1d),
    OpInfo(F + "conv2d", _conv2d),
    OpInfo(F + "max_pool2d", _max_pool2d),
    OpInfo(F + "avg_pool2d", _avg_pool2d),
    OpInfo(F + "adaptive_avg_pool2d", _adaptive_avg_pool2d),
    OpInfo(F + "dropout1d", _dropout_channels([(2, 3, 4), (3, 4)]), nondeterministic=True, grad=False),
    OpInfo(F + "dropout2d", _dropout_channels([(2, 3, 4, 5), (3, 4, 5)]), nondeterministic=True, grad=False),
    OpInfo(F + "alpha_dropout", lambda make, dtype: [S(make((3, 4)), 0.5, True), S(make((3, 4)), 0.5),
                                                     S(make((3, 4)), 1.0, True), S(make((0, 2)), 0.5, True)],
           nondeterministic=True, grad=False),
]

"""dxdy.nn.functional: PyTorch's torch.nn.functional names."""
from ..ops.nn import (softmax, log_softmax, softmin, gelu, silu, softplus, leaky_relu, elu, hardtanh, relu6,
                      logsigmoid, mish, softsign, tanhshrink, threshold, threshold_, celu, celu_, selu, selu_,
                      hardshrink, softshrink, hardsigmoid, hardswish, normalize, one_hot, pad, mse_loss, l1_loss,
                      smooth_l1_loss, huber_loss, nll_loss, cross_entropy, binary_cross_entropy,
                      binary_cross_entropy_with_logits, linear, bilinear, dropout)
from ..ops.elementwise import sigmoid, tanh, relu as _relu
# The layers, normalizations, distances and the rarer losses (ops/nn_layers.py) load on first use: they are
# most of what `import dxdy` would otherwise spend on nn (benchmarks/PROFILE.md, import).
_LAYERS = ("layer_norm", "batch_norm", "instance_norm", "group_norm", "embedding", "cosine_similarity",
           "pairwise_distance", "glu", "prelu", "kl_div", "margin_ranking_loss", "hinge_embedding_loss",
           "soft_margin_loss", "triplet_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
           "cosine_embedding_loss", "multilabel_soft_margin_loss", "dropout1d", "dropout2d", "alpha_dropout",
           "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d")


def __getattr__(name):
    if name in _LAYERS:
        from ..ops import nn_layers
        return getattr(nn_layers, name)
    raise AttributeError(f"module 'dxdy.nn.functional' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAYERS))


def relu(input, inplace=False):
    """max(x, 0)."""
    return input.relu_() if inplace else _relu(input)


def relu_(input):
    """max(x, 0), in place."""
    return input.relu_()


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)

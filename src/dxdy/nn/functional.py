"""dxdy.nn.functional: PyTorch's torch.nn.functional names."""
from ..ops.nn import (softmax, log_softmax, softmin, gelu, silu, softplus, leaky_relu, elu, hardtanh, relu6,
                      logsigmoid, mish, softsign, tanhshrink, normalize, one_hot, pad, mse_loss, l1_loss,
                      smooth_l1_loss, huber_loss, nll_loss, cross_entropy, binary_cross_entropy,
                      binary_cross_entropy_with_logits, linear, bilinear, dropout)
from ..ops.elementwise import sigmoid, tanh


def relu(input, inplace=False):
    """max(x, 0)."""
    from ..ops.elementwise import relu as _relu
    return input.relu_() if inplace else _relu(input)

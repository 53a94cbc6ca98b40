"""dxdy.nn.functional: PyTorch's torch.nn.functional names."""
from ..ops.nn import (softmax, log_softmax, softmin, gelu, silu, softplus, leaky_relu, elu, mse_loss, l1_loss,
                      smooth_l1_loss, huber_loss, nll_loss, cross_entropy, binary_cross_entropy,
                      binary_cross_entropy_with_logits, linear, bilinear, dropout)
from ..ops.elementwise import sigmoid, tanh


def relu(input, inplace=False):
    """max(x, 0)."""
    return input.relu_() if inplace else input.relu()


def relu6(input, inplace=False):
    return input.clamp(0, 6)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return input.clamp(min_val, max_val)


def logsigmoid(input):
    return -softplus(-input)


def softsign(input):
    return input / (1 + input.abs())


def tanhshrink(input):
    return input - input.tanh()


def mish(input, inplace=False):
    return input * softplus(input).tanh()


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps)


def one_hot(tensor, num_classes=-1):
    import numpy as np
    from ..tensor import wrap
    a = tensor._data
    n = int(a.max()) + 1 if num_classes == -1 else num_classes
    return wrap((a[..., None] == np.arange(n)).astype(np.int64))


def pad(input, pad, mode="constant", value=None):
    """Pad the last dims: pad = (left, right, top, bottom, ...), constant mode."""
    from ..ops.shape import cat
    from ..creation import full
    if mode != "constant":
        raise NotImplementedError(f"pad(mode='{mode}') is not supported; only 'constant'")
    out = input
    for i in range(len(pad) // 2):
        dim = out.ndim - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        parts = []
        if left:
            s = list(out.shape)
            s[dim] = left
            parts.append(full(tuple(s), value or 0.0, dtype=out.dtype))
        parts.append(out)
        if right:
            s = list(out.shape)
            s[dim] = right
            parts.append(full(tuple(s), value or 0.0, dtype=out.dtype))
        out = cat(parts, dim) if len(parts) > 1 else out
    return out
